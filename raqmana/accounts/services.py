"""Writes about people: registration, contact proofs, enterprises, roles and second factors. Every change is
audited."""

import math
import secrets
from datetime import timedelta
from functools import partial

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.access.roles import GRANTABLE_BY, PLACE_LEVELS, ROLE_PLACE, PlaceKind, Role
from raqmana.audit.services import record
from raqmana.notifications.models import Channel
from raqmana.notifications.services import notify
from raqmana.notifications.sms import sms_provider
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

from .backends import find_user_by_identifier
from .constants import CodePurpose, RepresentativeCapacity
from .models import ContactCode, Enterprise, EnterpriseRepresentative, RoleAssignment, User
from .tasks import notify_role_granted, send_contact_code
from .validators import normalise_ice, normalise_phone


@transaction.atomic
def register_citizen(*, full_name, password, email=None, phone=None, preferred_language="ar"):
    """Open a citizen account identified by an email address, a phone number or both."""
    if not email and not phone:
        raise ValidationError(_("Give an email address or a phone number."), code="no_identifier")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                phone=normalise_phone(phone) if phone else None,
                full_name=full_name,
                preferred_language=preferred_language,
            )
    except IntegrityError:  # the same identifier registered a moment earlier
        raise ValidationError(_("An account already uses this email address or phone number.")) from None
    record(actor=user, action="account.registered", target=user)
    return user


CONTACT_CODE_VALIDITY = timedelta(minutes=15)
CONTACT_CODE_ATTEMPTS = 5  # wrong codes a request allows for each code it sent, after which its code is void
CONTACT_CODE_SENDS = 3  # the first code and two more, each replacing the last
CONTACT_CODE_RESEND_AFTER = timedelta(seconds=60)
# What bounds guessing and flooding is the limit per email or phone, over every sign-up and password reset that gives
# it, from any client address: CONTACT_CODES_PER_DAY codes (or warnings to its owner), and CONTACT_WRONG_CODES_PER_DAY
# wrong codes, after which its codes are void until the day is over: 10 in a million chances a day to guess one.
CONTACT_LIMIT_WINDOW = timedelta(days=1)
CONTACT_CODES_PER_DAY = 5
CONTACT_WRONG_CODES_PER_DAY = 10


def channel_of(contact):
    """How a code reaches `contact`, an email address or a phone number."""
    return Channel.EMAIL if "@" in contact else Channel.SMS


def _contact_usage(contact):
    """Codes sent to `contact` and wrong codes typed for it by sign-ups and password resets in the last day. Counted
    alike whether or not an account has the contact (a taken sign-up or an unknown reset counts its sends though
    nothing is sent), so that the limits do not tell who has an account."""
    return ContactCode.objects.filter(
        contact=contact,
        purpose__in=[CodePurpose.SIGN_UP, CodePurpose.PASSWORD_RESET],
        last_sent_at__gte=timezone.now() - CONTACT_LIMIT_WINDOW,
    ).aggregate(sends=Coalesce(Sum("sends"), 0), wrong_codes=Coalesce(Sum("failed_attempts"), 0))


def _check_contact_limits(contact):
    usage = _contact_usage(contact)
    if usage["wrong_codes"] >= CONTACT_WRONG_CODES_PER_DAY:
        raise ValidationError(_too_many_wrong_codes_for_contact(), code="contact_wrong_codes")
    if usage["sends"] >= CONTACT_CODES_PER_DAY:
        raise ValidationError(
            _("Too many codes were sent to this email address or phone number today. Try again tomorrow."),
            code="contact_sends",
        )


def _too_many_wrong_codes_for_contact():
    return _("Too many wrong codes were typed for this email address or phone number today. Try again tomorrow.")


def contact_code_digest(contact_code_pk, code):
    """What is kept of a code: keyed by the site's secret, so a copy of the database does not give the codes away
    (a million codes would be tried in an instant against a plain hash)."""
    return salted_hmac("raqmana.accounts.ContactCode", f"{contact_code_pk}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def start_signup(*, full_name, password, contact, preferred_language="ar"):
    """Begin opening a citizen account: a code goes to `contact` (an email address, or a phone number in E.164), and
    the account opens when it is typed back (confirm_contact_code).

    When the contact already belongs to an account, no account will open: its owner is told that someone tried, and
    whoever typed it sees the same as anyone else (the same work is done, the password hashed either way), so that
    sign-up does not tell who has an account.
    """
    full_name = User.checked_text("full_name", full_name)
    channel = channel_of(contact)
    if channel == Channel.SMS and sms_provider() is None:
        raise ValidationError(_("Codes cannot be sent by SMS here: give an email address."), code="no_sms")
    _check_contact_limits(contact)
    contact_code = ContactCode.objects.create(
        purpose=CodePurpose.SIGN_UP,
        channel=channel,
        contact=contact,
        signup={"full_name": full_name, "password": make_password(password), "language": preferred_language},
        contact_taken=find_user_by_identifier(contact) is not None,
        sends=1,
        last_sent_at=timezone.now(),
    )
    transaction.on_commit(partial(send_contact_code.enqueue, contact_code.pk, 1))
    return contact_code


@transaction.atomic
def send_account_code(user, channel):
    """A code to the account's own email address or phone number, to prove it reaches its holder."""
    contact = user.email if channel == Channel.EMAIL else user.phone
    if not contact:
        raise ValidationError(_("This account has no such contact."), code="no_contact")
    if channel == Channel.SMS and sms_provider() is None:
        raise ValidationError(_("Codes cannot be sent by SMS here: give an email address."), code="no_sms")
    contact_code = ContactCode.objects.create(
        purpose=CodePurpose.PROOF, user=user, channel=channel, contact=contact, sends=1, last_sent_at=timezone.now()
    )
    transaction.on_commit(partial(send_contact_code.enqueue, contact_code.pk, 1))
    return contact_code


@transaction.atomic
def start_password_reset(contact):
    """A code to choose a new password, sent to the email or phone of the account that has it. The answer is the same
    when no active account has it (nothing is sent then), so that the page does not tell who has an account."""
    channel = channel_of(contact)
    if channel == Channel.SMS and sms_provider() is None:
        raise ValidationError(_("Codes cannot be sent by SMS here: give an email address."), code="no_sms")
    _check_contact_limits(contact)
    owner = find_user_by_identifier(contact)
    contact_code = ContactCode.objects.create(
        purpose=CodePurpose.PASSWORD_RESET,
        user=owner if owner is not None and owner.is_active else None,
        channel=channel,
        contact=contact,
        sends=1,
        last_sent_at=timezone.now(),
    )
    transaction.on_commit(partial(send_contact_code.enqueue, contact_code.pk, 1))
    return contact_code


@transaction.atomic
def resend_contact_code(contact_code):
    """Another code for the same request, which replaces the last: a minute apart at least, CONTACT_CODE_SENDS in
    all. Each code sent allows CONTACT_CODE_ATTEMPTS more wrong codes: counted from `sends`, which changes here, so
    that a request whose code is never sent (a taken sign-up, an unknown reset) changes exactly as the others do."""
    contact_code = ContactCode.objects.select_for_update().get(pk=contact_code.pk)
    if contact_code.used_at is not None:
        raise ValidationError(_("This code was already used."), code="used")
    if contact_code.sends >= CONTACT_CODE_SENDS:
        raise ValidationError(_("No more codes can be sent for this request: start again later."), code="no_more")
    wait = (contact_code.last_sent_at + CONTACT_CODE_RESEND_AFTER - timezone.now()).total_seconds()
    if wait > 0:
        seconds = math.ceil(wait)
        raise ValidationError(
            ngettext(
                "You can ask for a new code in %(seconds)d second.",
                "You can ask for a new code in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds},
            code="too_soon",
        )
    if contact_code.purpose != CodePurpose.PROOF:
        _check_contact_limits(contact_code.contact)
    contact_code.sends += 1
    contact_code.last_sent_at = timezone.now()
    contact_code.save(update_fields=["sends", "last_sent_at"])
    transaction.on_commit(partial(send_contact_code.enqueue, contact_code.pk, contact_code.sends))
    return contact_code


def make_contact_code(contact_code):
    """A fresh six-digit code for the request, replacing any earlier one; only its digest is kept. Called by the
    worker that sends it."""
    code = f"{secrets.randbelow(10**6):06d}"
    contact_code.code_hash = contact_code_digest(contact_code.pk, code)
    contact_code.expires_at = timezone.now() + CONTACT_CODE_VALIDITY
    contact_code.save(update_fields=["code_hash", "expires_at"])
    return code


def confirm_contact_code(contact_code, typed, new_password=None):
    """Check a typed code. When it matches, a sign-up's account opens, or the account's contact is marked proved (and
    for a password reset its password becomes `new_password`); the account is returned. Otherwise a ValidationError
    says why. A wrong code counts towards the CONTACT_CODE_ATTEMPTS each code sent allows, after which the request
    needs a new code, and for a sign-up or a reset towards CONTACT_WRONG_CODES_PER_DAY, after which the contact's codes
    are void for the day."""
    if contact_code.purpose == CodePurpose.PASSWORD_RESET and not new_password:
        raise ValidationError(_("Choose a new password."), code="password_required")
    typed = "".join(typed.split())
    with transaction.atomic():
        contact_code = ContactCode.objects.select_for_update().get(pk=contact_code.pk)
        # The digest is compared even when nothing can match, so that every answer takes the same time.
        matches = constant_time_compare(contact_code_digest(contact_code.pk, typed), contact_code.code_hash)
        limited = contact_code.purpose != CodePurpose.PROOF
        wrong_for_contact = _contact_usage(contact_code.contact)["wrong_codes"] if limited else 0
        wrong_allowed = CONTACT_CODE_ATTEMPTS * contact_code.sends
        usable = (
            contact_code.used_at is None
            and wrong_for_contact < CONTACT_WRONG_CODES_PER_DAY
            and contact_code.failed_attempts < wrong_allowed
            and contact_code.expires_at is not None
            and contact_code.expires_at > timezone.now()
            # an account's email or phone changed since the code was sent there is not the one proved
            and (
                contact_code.user is None or contact_code.contact in (contact_code.user.email, contact_code.user.phone)
            )
        )
        if matches and usable:
            return _prove_contact(contact_code, new_password)
        if contact_code.failed_attempts < wrong_allowed and wrong_for_contact < CONTACT_WRONG_CODES_PER_DAY:
            contact_code.failed_attempts += 1
            contact_code.save(update_fields=["failed_attempts"])
            if limited:
                wrong_for_contact += 1
        exhausted = contact_code.failed_attempts >= wrong_allowed
    if wrong_for_contact >= CONTACT_WRONG_CODES_PER_DAY:
        raise ValidationError(_too_many_wrong_codes_for_contact(), code="contact_wrong_codes")
    if exhausted:
        raise ValidationError(_("Too many wrong codes: ask for a new code."), code="too_many_attempts")
    raise ValidationError(_("This code is wrong or has expired."), code="wrong_code")


def _prove_contact(contact_code, new_password):
    now = timezone.now()
    proved = "email_verified_at" if contact_code.channel == Channel.EMAIL else "phone_verified_at"
    contact_code.used_at = now
    contact_code.save(update_fields=["used_at"])
    if contact_code.purpose == CodePurpose.SIGN_UP:
        user = _open_signed_up_account(contact_code, **{proved: now})
    else:
        user = contact_code.user
        setattr(user, proved, now)
        changed = [proved]
        if contact_code.purpose == CodePurpose.PASSWORD_RESET:
            user.set_password(new_password)
            changed.append("password")
            record(actor=user, action="account.password_reset", target=user, reason=contact_code.get_channel_display())
        user.save(update_fields=changed)
    record(actor=user, action="account.contact_verified", target=user, reason=contact_code.get_channel_display())
    return user


def _open_signed_up_account(contact_code, **proved):
    signup = contact_code.signup
    email = contact_code.contact if contact_code.channel == Channel.EMAIL else None
    phone = contact_code.contact if contact_code.channel == Channel.SMS else None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, None, phone=phone, full_name=signup["full_name"], preferred_language=signup["language"], **proved
            )
    except IntegrityError:  # the same contact proved by another sign-up a moment earlier
        raise ValidationError(_("An account already uses this email address or phone number.")) from None
    user.password = signup["password"]
    user.save(update_fields=["password"])
    contact_code.user = user
    contact_code.save(update_fields=["user"])
    record(actor=user, action="account.registered", target=user)
    return user


def place_of(role, *, territory=None, office=None):
    """The territory and office a role is held for, checked against the kind of place the role needs."""
    kind = ROLE_PLACE[Role(role)]
    if kind == PlaceKind.NATIONAL:
        if territory or office:
            raise ValidationError(_("This role covers the whole country: give no place."), code="place_not_expected")
        return None, None
    if kind == PlaceKind.OFFICE:
        if office is None:
            raise ValidationError(_("This role is held in a civil status office: choose one."), code="office_required")
        return office.territory, office
    if office is not None or territory is None or territory.level not in PLACE_LEVELS[kind]:
        raise ValidationError(
            _("This role is held for a %(place)s: choose one.") % {"place": kind.label}, code="wrong_place"
        )
    return territory, None


def may_grant(granter, role, territory, grantee=None):
    """Whether `granter` may give (or take back) `role` for `territory`: see GRANTABLE_BY.

    The granter must hold, for a place that covers `territory`, a role that appoints `role`; nobody
    grants a role to themselves.
    """
    if grantee is not None and grantee.pk == granter.pk:
        return False
    if granter.is_superuser:
        return True
    for held in granter.role_assignments.active():
        if Role(role) not in GRANTABLE_BY.get(Role(held.role), ()):
            continue
        if held.territory_id is None or (
            territory is not None and territory.ancestor_links.filter(ancestor_id=held.territory_id).exists()
        ):
            return True
    return False


@transaction.atomic
def grant_role(user, role, *, by, reason, territory=None, office=None):
    territory, office = place_of(role, territory=territory, office=office)
    if by is not None and not may_grant(by, role, territory, grantee=user):
        raise PermissionDenied(_("You may not grant this role for this place."))
    if not reason.strip():
        raise ValidationError(_("Say why this role is granted."), code="reason_required")
    assignment = RoleAssignment(
        user=user, role=role, territory=territory, office=office, granted_by=by, grant_reason=reason
    )
    assignment.check_texts()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(_("This person already holds this role for this place."), code="duplicate_role") from None
    record(
        actor=by,
        action="role.granted",
        target=assignment,
        reason=assignment.grant_reason,
        territory=territory,
        unit=office,
        national=territory is None,
    )
    transaction.on_commit(partial(notify_role_granted.enqueue, assignment.pk))
    return assignment


@transaction.atomic
def revoke_role(assignment, *, by, reason):
    if assignment.revoked_at is not None:
        raise ValidationError(_("This role was already revoked."), code="already_revoked")
    if by is not None and not may_grant(by, assignment.role, assignment.territory, grantee=assignment.user):
        raise PermissionDenied(_("You may not revoke this role."))
    if not reason.strip():
        raise ValidationError(_("Say why this role is revoked."), code="reason_required")
    reason = RoleAssignment.checked_text("revoke_reason", reason, error_key="reason")
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = by
    assignment.revoke_reason = reason
    assignment.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record(
        actor=by,
        action="role.revoked",
        target=assignment,
        reason=reason,
        territory=assignment.territory,
        unit=assignment.office,
        national=assignment.territory_id is None,
    )
    return assignment


@transaction.atomic
def register_enterprise(*, ice, legal_name, commune, representative, trade_register_number="", address=""):
    """Register a legal person by its ICE; the person registering it becomes its legal representative."""
    ice = normalise_ice(ice)
    if not isinstance(commune, Territory) or commune.level != Level.COMMUNE:
        raise ValidationError(_("Choose the commune of the registered office."), code="commune_required")
    enterprise = Enterprise(
        ice=ice, legal_name=legal_name, commune=commune, trade_register_number=trade_register_number, address=address
    )
    enterprise.check_texts()
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        raise ValidationError(
            _("An enterprise with this ICE is already registered: ask one of its representatives to add you."),
            code="ice_taken",
        ) from None
    EnterpriseRepresentative.objects.create(
        enterprise=enterprise,
        user=representative,
        capacity=RepresentativeCapacity.LEGAL_REPRESENTATIVE,
        added_by=representative,
        accepted_at=timezone.now(),
    )
    record(actor=representative, action="enterprise.registered", target=enterprise, territory=enterprise.commune)
    return enterprise


@transaction.atomic
def invite_representative(enterprise, identifier, *, capacity, by):
    """Invite the holder of an account to represent the enterprise; they become one when they accept.

    Returns nothing either way, so that the inviter learns neither whether the account exists nor its name.
    """
    if not enterprise.representatives.active().filter(user=by).exists():
        raise PermissionDenied(_("Only a representative of this enterprise may add another."))
    person = find_user_by_identifier(identifier)
    if person is None:
        return
    try:
        with transaction.atomic():
            invitation = EnterpriseRepresentative.objects.create(
                enterprise=enterprise, user=person, capacity=capacity, added_by=by
            )
    except IntegrityError:  # already invited or representing
        return
    record(actor=by, action="enterprise.representative_invited", target=invitation, territory=enterprise.commune)


@transaction.atomic
def answer_invitation(invitation, *, by, accept):
    if invitation.user_id != by.pk or invitation.accepted_at or invitation.revoked_at:
        raise PermissionDenied(_("This invitation is not yours to answer."))
    if accept:
        invitation.accepted_at = timezone.now()
    else:
        invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "revoked_at"])
    action = "enterprise.representative_added" if accept else "enterprise.invitation_declined"
    record(actor=by, action=action, target=invitation, territory=invitation.enterprise.commune)
    return invitation


ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
ENROLMENT_CODE_VALIDITY = timedelta(days=7)


@transaction.atomic
def issue_enrolment_code(user, *, by=None):
    """A one-time code that lets an agent enrol an authenticator app; without it a password alone cannot.

    Only its hash is kept. It is handed over by email when a role is granted, or shown once to the
    administrator who issued it. Issuing one also removes the person's authenticators, whose keys must never
    work again (a lost phone); the audit trail keeps the event.
    """
    code = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(10))
    user.enrolment_code_hash = make_password(code)
    user.enrolment_code_expires_at = timezone.now() + ENROLMENT_CODE_VALIDITY
    user.save(update_fields=["enrolment_code_hash", "enrolment_code_expires_at"])
    TOTPDevice.objects.filter(user=user).delete()
    record(actor=by, action="two_factor.enrolment_code_issued", target=user)
    return f"{code[:5]}-{code[5:]}"


def enrolment_code_matches(user, typed):
    typed = typed.replace("-", "").replace(" ", "").upper()
    return bool(
        user.enrolment_code_hash
        and user.enrolment_code_expires_at
        and user.enrolment_code_expires_at > timezone.now()
        and check_password(typed, user.enrolment_code_hash)
    )


# django-otp makes an agent wait 2^(n-1) seconds after n wrong codes in a row, without end: someone holding the
# password could lock the agent out for days. The count stops at this ceiling, a wait of 2^9 s (under 9 minutes), and
# the agent is warned when it is reached.
TOTP_WRONG_CODES_CEILING = 10


def totp_wait_seconds(device):
    """How long an authenticator refuses codes after wrong ones (django-otp doubles the wait after each, up to
    TOTP_WRONG_CODES_CEILING); 0 when it takes them. Someone holding an agent's password can make the agent wait this
    long, never lock them out."""
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


@transaction.atomic
def check_totp_token(device, token):
    """Whether `token` is the code of the agent's confirmed authenticator (throttled and counted by django-otp)."""
    return _verify_totp(TOTPDevice.objects.select_for_update().get(pk=device.pk), token)


def _verify_totp(device, token):
    """Check a code on a locked device; a wrong one (not one refused while the agent must wait) counts up to
    TOTP_WRONG_CODES_CEILING, which warns the agent when first reached."""
    failures = device.throttling_failure_count
    if device.verify_token(token):
        return True
    if device.throttling_failure_count > TOTP_WRONG_CODES_CEILING:
        device.throttling_failure_count = TOTP_WRONG_CODES_CEILING
        device.save(update_fields=["throttling_failure_count"])
    elif failures < device.throttling_failure_count == TOTP_WRONG_CODES_CEILING:
        _warn_of_wrong_totp_codes(device.user)
    return False


def _warn_of_wrong_totp_codes(user):
    record(actor=None, action="two_factor.wrong_codes_warned", target=user)
    with translation.override(user.preferred_language):
        notify(
            user,
            _("Raqmana: someone who knows your password is trying codes"),
            _(
                "Hello %(name)s,\n\n%(count)d wrong codes of your authenticator app were typed in a row after your "
                "password, at your Raqmana sign-in. If it was not you, someone knows your password: change it now, "
                "and tell your administrator.\n"
            )
            % {"name": user.full_name, "count": TOTP_WRONG_CODES_CEILING},
        )


def pending_totp_device(user):
    """The authenticator an agent is enrolling: created unconfirmed once, shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_totp_device(device, token):
    """Enrolment ends when the first code from the app checks; the enrolment code is then spent."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not _verify_totp(device, token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user = device.user
    user.enrolment_code_hash, user.enrolment_code_expires_at = "", None
    user.save(update_fields=["enrolment_code_hash", "enrolment_code_expires_at"])
    record(actor=user, action="two_factor.enrolled", target=user)
    return True


def set_preferred_language(user, language):
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
