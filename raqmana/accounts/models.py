from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from raqmana.access.checking import acts_for_an_administration
from raqmana.kernel.text import CheckedTextModel
from raqmana.notifications.models import Channel
from raqmana.territories.models import Territory

from .constants import CodePurpose, RepresentativeCapacity
from .managers import UserManager
from .validators import normalise_phone

KEPT_SESSION_HASH = "_kept_session_auth_hash"


class User(CheckedTextModel, AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: a citizen, an enterprise's representative, an agent; they sign in by email or phone."""

    email = models.EmailField(
        _("email address"),
        unique=True,
        null=True,
        blank=True,
        error_messages={"unique": _("An account already uses this email address.")},
    )
    phone = models.CharField(
        _("phone number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        error_messages={"unique": _("An account already uses this phone number.")},
    )
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    national_id = models.CharField(
        _("national e-ID subject"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Set when the person signs in through the national e-ID."),
    )
    email_verified_at = models.DateTimeField(
        _("email address proved on"),
        null=True,
        blank=True,
        help_text=_("When the person proved, by a code sent there or through the national e-ID, that it is theirs."),
    )
    phone_verified_at = models.DateTimeField(
        _("phone number proved on"),
        null=True,
        blank=True,
        help_text=_("When the person proved, by a code sent there or through the national e-ID, that it is theirs."),
    )
    enrolment_code_hash = models.CharField(_("two-factor enrolment code (hashed)"), max_length=128, blank=True)
    enrolment_code_expires_at = models.DateTimeField(_("enrolment code valid until"), null=True, blank=True)
    is_staff = models.BooleanField(_("may use the administration site"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False), name="user_has_email_or_phone"
            ),
            models.UniqueConstraint(
                Lower("email"),
                name="unique_email_whatever_its_case",
                violation_error_message=_("An account already uses this email address."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or self.phone

    def get_session_auth_hash(self):
        """What a session signed in as this person holds, tied to their password (Django's). The copy of an account
        kept between requests (`without_secrets`) holds this hash and not the password's."""
        if "password" not in self.__dict__ and KEPT_SESSION_HASH in self.__dict__:
            return self.__dict__[KEPT_SESSION_HASH]
        return super().get_session_auth_hash()

    def without_secrets(self):
        """This account as it may be kept in the shared cache: without its password hash nor its enrolment code's
        (a cache is no place for them), read from the database again if asked for (deferred fields); the session
        hash, worked out of the password, stands in for the password where a request checks its session."""
        self.__dict__[KEPT_SESSION_HASH] = self.get_session_auth_hash()
        for secret in ("password", "enrolment_code_hash"):
            self.__dict__.pop(secret, None)
        return self

    def get_username(self):
        """Whichever identifier the person signs in with: their email, or their phone for phone-only citizens."""
        return self.email or self.phone

    def clean(self):
        """Store identifiers as people sign in with them: email in lower case, phone in E.164.

        Deliberately not calling AbstractBaseUser.clean(): it would copy get_username() (the phone of a
        phone-only person) into the email field.
        """
        self.email = self.email.strip().lower() if self.email else None
        if self.phone:
            self.phone = normalise_phone(self.phone)
        else:
            self.phone = None
        if not self.email and not self.phone:
            raise ValidationError(_("Give an email address or a phone number."), code="no_identifier")

    @property
    def has_verified_contact(self):
        """Whether the person proved that their email or phone reaches them, or signed in through the national e-ID:
        needed before ordering documents, so that an account stands for someone who can be reached."""
        return bool(
            (self.email and self.email_verified_at) or (self.phone and self.phone_verified_at) or self.national_id
        )

    @property
    def is_agent(self):
        """Agents act for an administration (a role, or an organisation an app registered, such as an establishment
        that files pre-declarations): they handle personal data and must sign in with a second factor."""
        if not hasattr(self, "_raqmana_is_agent"):
            self._raqmana_is_agent = self.is_staff or self.is_superuser or acts_for_an_administration(self)
        return self._raqmana_is_agent


class Enterprise(CheckedTextModel):
    """A legal person, identified by its ICE, acting through one or more representatives."""

    ice = models.CharField(_("ICE number"), max_length=15, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200)
    trade_register_number = models.CharField(_("trade register number"), max_length=40, blank=True)
    address = models.CharField(_("registered address"), max_length=300, blank=True)
    commune = models.ForeignKey(
        Territory, verbose_name=_("commune of the registered office"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered on Raqmana"), default=timezone.now)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["legal_name"]

    def __str__(self):
        return f"{self.legal_name} (ICE {self.ice})"


class EnterpriseRepresentativeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, accepted_at__isnull=False)

    def pending(self):
        return self.filter(revoked_at__isnull=True, accepted_at__isnull=True)


class EnterpriseRepresentative(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="representatives")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="representations")
    capacity = models.CharField(_("capacity"), max_length=16, choices=RepresentativeCapacity.choices)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(
        _("accepted at"), null=True, blank=True, help_text=_("Empty while the person has not accepted the invitation.")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = EnterpriseRepresentativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise representative")
        verbose_name_plural = _("enterprise representatives")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "user"], condition=Q(revoked_at__isnull=True), name="one_active_representation"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.enterprise.legal_name}"


class ContactCode(models.Model):
    """A one-time code sent to an email address or a phone number, to prove that it reaches whoever typed it.

    A sign-up has no account yet: `signup` keeps what was typed (the password already hashed) and the account opens
    when the code checks. When a sign-up gives a contact that already belongs to an account, `contact_taken` is set:
    its owner is warned instead, no code exists, and the sign-up looks the same to whoever typed it but never
    completes. A password reset for a contact no account has is kept the same way, without `user` and without a code.
    Only the code's hash is kept; the worker that sends the code makes it, so that it never sits in the task queue.
    """

    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    user = models.ForeignKey(
        User, verbose_name=_("account"), null=True, blank=True, on_delete=models.PROTECT, related_name="contact_codes"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    contact = models.CharField(_("email address or phone number"), max_length=254)
    signup = models.JSONField(_("sign-up awaiting the code"), default=dict, blank=True)
    contact_taken = models.BooleanField(_("contact already used by an account"), default=False)
    code_hash = models.CharField(_("code (hashed)"), max_length=128, blank=True)
    expires_at = models.DateTimeField(_("code valid until"), null=True, blank=True)
    sends = models.PositiveSmallIntegerField(_("codes sent"), default=0)
    last_sent_at = models.DateTimeField(_("last code sent at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong codes typed"), default=0)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact verification code")
        verbose_name_plural = _("contact verification codes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.contact}"
