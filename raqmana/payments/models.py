from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.core.text import CheckedTextModel, TextKind
from raqmana.core.workflow import TransitionRecord

from .constants import PaymentState


class Fee(CheckedTextModel):
    """What a service costs, editable by the administration (a stamp duty, a communal fee)."""

    text_kinds = {"label_ar": TextKind.ARABIC_TEXT, "label_fr": TextKind.LATIN_TEXT}

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_ar = models.CharField(_("Arabic label"), max_length=200)
    label_fr = models.CharField(_("French label"), max_length=200)
    amount = models.DecimalField(_("amount (MAD)"), max_digits=10, decimal_places=2)
    legal_basis = models.CharField(_("legal basis"), max_length=300)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["code"]

    def __str__(self):
        return f"{self.label_fr} — {self.amount} MAD"


class Payment(models.Model):
    """A sum owed for a service and its settlement through the payment provider. Money goes to the Treasury's
    account at the provider: the platform only records what is owed and the provider's confirmation."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="payments"
    )
    fee = models.ForeignKey(Fee, verbose_name=_("fee"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (MAD)"), max_digits=10, decimal_places=2)
    description = models.CharField(_("description"), max_length=300)
    # What the payment is for (an app's model label and primary key), so the right app hears of its outcome.
    for_model = models.CharField(max_length=100)
    for_id = models.CharField(max_length=40)
    provider = models.CharField(_("payment provider"), max_length=40)
    provider_reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    return_url = models.CharField(max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["for_model", "for_id"], name="payment_for")]

    def __str__(self):
        return f"{self.reference} — {self.amount} MAD ({self.get_state_display()})"


class PaymentTransition(TransitionRecord):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=PaymentState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=PaymentState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.payment_id}: {self.from_state} → {self.to_state}"
