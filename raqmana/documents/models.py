from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.civil_status.models import Act
from raqmana.kernel.scanning import ScanState
from raqmana.kernel.text import CheckedTextModel
from raqmana.payments.models import Payment
from raqmana.territories.models import AdministrativeUnit
from raqmana.workflows.models import TransitionRecord

from .constants import DocumentKind, OrderState, RequesterRelation


def documents_storage():
    return storages["documents"]


class RequestGrounds(CheckedTextModel):
    """Why a document is asked for and by whom, which decide whether a full copy may be given
    (`rules.check_copy_requester`): the same on an online order and on the document issued from it."""

    requester_relation = models.CharField(
        _("requester's relation to the act"), max_length=16, choices=RequesterRelation.choices
    )
    mandate_reference = models.CharField(_("mandate (reference and date)"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)

    class Meta:
        abstract = True


class IssuedDocument(RequestGrounds):
    """A signed document drawn from an act, as issued: what it certifies, to whom, why, and the PDF's hash.

    Never deleted nor changed after issue, except to record its revocation. Its verification code is the
    unguessable key printed in the QR code; the number is the issuing office's yearly sequence.
    """

    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    act = models.ForeignKey(Act, verbose_name=_("act"), on_delete=models.PROTECT, related_name="issued_documents")
    office = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("issuing office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_documents",
    )
    requester_name = models.CharField(_("requester's full name"), max_length=200)
    requester_document = models.CharField(_("requester's identity document number"), max_length=40, blank=True)
    content = models.JSONField(_("certified content"))
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, unique=True)
    pdf = models.FileField(_("PDF"), storage=documents_storage, upload_to="issued/%Y/%m/")
    # The seal's RFC 3161 time stamp, as the time-stamping authority gave it (empty on documents sealed before).
    seal_timestamp = models.DateTimeField(_("seal time-stamped at"), null=True, blank=True)
    seal_timestamp_authority = models.CharField(_("time-stamping authority"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revocation_reason = models.CharField(_("why it was revoked"), max_length=300, blank=True)

    scope_places = (("office__territory", "office"),)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "number"], name="one_document_number_per_office_year")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def reference(self):
        return f"{self.office.code}/{self.year}/{self.number}"


class DocumentOrder(RequestGrounds):
    """A citizen's online request for a document from an act: paid, then issued at once or after the check of
    an agent of the office that keeps the act."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="document_orders"
    )
    act = models.ForeignKey(Act, verbose_name=_("act"), on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    proof = models.FileField(
        _("proof of identity and relation"), storage=documents_storage, upload_to="proofs/%Y/%m/", blank=True
    )
    proof_scan = models.CharField(_("virus scan of the proof"), max_length=10, choices=ScanState.choices, blank=True)
    proof_deleted_on = models.DateField(_("proof deleted on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=OrderState.choices, default=OrderState.AWAITING_PAYMENT)
    payment = models.OneToOneField(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.OneToOneField(
        IssuedDocument, verbose_name=_("document"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    refusal_reason = models.CharField(_("why it was refused"), max_length=300, blank=True)

    scope_places = (("act__office__territory", "act__office"),)

    class Meta:
        verbose_name = _("document order")
        verbose_name_plural = _("document orders")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.act.reference} ({self.get_state_display()})"

    @property
    def proof_may_be_opened(self):
        """An agent opens only a proof the virus scanner found clean."""
        return bool(self.proof) and self.proof_scan == ScanState.CLEAN


class OrderTransition(TransitionRecord):
    order = models.ForeignKey(DocumentOrder, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=OrderState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=OrderState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.order_id}: {self.from_state} → {self.to_state}"
