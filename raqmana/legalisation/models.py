"""Signature legalisation and certified copies: the signers enrolled once at a counter, and the requests, each
entered in its office's yearly register once completed. Never deleted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.documents.models import IssuedDocument, documents_storage
from raqmana.kernel.text import CheckedTextModel
from raqmana.territories.models import AdministrativeUnit
from raqmana.workflows.models import TransitionRecord

from .constants import MAX_REASON, MAX_SUBJECT, Completion, RequestState, Service, StampPlace


class Signer(CheckedTextModel):
    """A person enrolled at a legalisation office: their identity checked in person by the officer, on their
    national identity card, and their specimen signature captured. Enrolled once for every office; their account,
    when one holds the same card number, prepares requests online."""

    national_id = models.CharField(_("national identity card number"), max_length=10, unique=True)
    full_name = models.CharField(_("full name, as on the card"), max_length=200)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legalisation_signer",
    )
    specimen = models.FileField(_("specimen signature"), storage=documents_storage, upload_to="legalisation/specimens/")
    specimen_sha256 = models.CharField(max_length=64, editable=False)
    office = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("enrolled at"), on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enrolled by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("enrolled signer")
        verbose_name_plural = _("enrolled signers")
        ordering = ["-enrolled_at"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.national_id})"


class LegalisationRequest(CheckedTextModel):
    """A signature to legalise or a copy to certify at an office: prepared online by the citizen (their document,
    the page and place of the stamp) or brought to the counter, then completed by the officer, who enters it in
    the office's register of the year (`number`) and issues the stamped, sealed document (`output`), or refused
    with reasons, or withdrawn by the citizen before."""

    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    office = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("office"), on_delete=models.PROTECT, related_name="legalisations"
    )
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices, default=RequestState.PREPARED)
    signer = models.ForeignKey(
        Signer, verbose_name=_("signer"), null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legalisations",
    )
    # Who asks for a certified copy (the signer, for a signature), as their identity card reads.
    requester_name = models.CharField(_("requester's full name"), max_length=200)
    requester_card = models.CharField(_("requester's identity card number"), max_length=10)
    subject = models.CharField(_("the document"), max_length=MAX_SUBJECT)
    document = models.FileField(_("document"), storage=documents_storage, upload_to="legalisation/%Y/%m/")
    document_sha256 = models.CharField(_("SHA-256 of the document"), max_length=64)
    pages = models.PositiveSmallIntegerField(_("pages"))
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    stamp_page = models.PositiveSmallIntegerField(_("page of the stamp"))
    stamp_place = models.CharField(_("place of the stamp"), max_length=14, choices=StampPlace.choices)
    stamp_duty = models.DecimalField(_("stamp duty (MAD)"), max_digits=8, decimal_places=2)
    duty_receipt = models.CharField(_("stamp duty receipt"), max_length=40, blank=True)
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    online = models.BooleanField(_("prepared online"), default=False)
    completion = models.CharField(_("completed"), max_length=8, choices=Completion.choices, blank=True)
    completed_at = models.DateTimeField(_("entered in the register at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("register number"), null=True, blank=True)
    refusal_reason = models.CharField(_("reasons for the refusal"), max_length=MAX_REASON, blank=True)
    output = models.OneToOneField(
        IssuedDocument,
        verbose_name=_("legalised document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_places = (("office__territory", "office"),)

    class Meta:
        verbose_name = _("legalisation request")
        verbose_name_plural = _("legalisation requests")
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "number"],
                condition=models.Q(number__isnull=False),
                name="one_legalisation_per_office_year_number",
            )
        ]
        indexes = [
            models.Index(fields=["office", "state", "prepared_at"], name="legalisation_queue"),
            models.Index(fields=["office", "year", "number"], name="legalisation_register"),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def reference(self) -> str:
        """The register's number as the stamp prints it (office, year, number); empty until completed."""
        if self.number is None:
            return ""
        return f"{self.office.code}/{self.year}/{self.number}"


class LegalisationTransition(TransitionRecord):
    request = models.ForeignKey(LegalisationRequest, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=RequestState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=RequestState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_state} → {self.to_state}"
