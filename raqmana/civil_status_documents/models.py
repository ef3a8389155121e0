from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.civil_status.models import Act
from raqmana.documents.models import IssuedDocument, documents_storage
from raqmana.kernel.scanning import ScanState
from raqmana.kernel.text import CheckedTextModel
from raqmana.payments.models import Payment
from raqmana.workflows.models import TransitionRecord

from .constants import CivilStatusDocument, OrderState, RequesterRelation


class DocumentOrder(CheckedTextModel):
    """A citizen's online request for a document from an act: paid, then issued at once or after the check of
    an agent of the office that keeps the act. Why it is asked for and by whom decide whether a full copy may be
    given (`rules.check_copy_requester`), and go to the document issued from it."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="document_orders"
    )
    act = models.ForeignKey(Act, verbose_name=_("act"), on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(_("document"), max_length=24, choices=CivilStatusDocument.choices)
    requester_relation = models.CharField(
        _("requester's relation to the act"), max_length=16, choices=RequesterRelation.choices
    )
    mandate_reference = models.CharField(_("mandate (reference and date)"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
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
    audit_label_reads = ("act__office",)  # what its name reads beside the order (audit.selectors.shown_events)

    class Meta:
        db_table = "documents_documentorder"  # the table of the rows ordered before the app was split
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

    class Meta(TransitionRecord.Meta):
        db_table = "documents_ordertransition"

    def __str__(self):
        return f"{self.order_id}: {self.from_state} → {self.to_state}"
