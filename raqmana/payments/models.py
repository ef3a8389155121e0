from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.numbers import format_money
from raqmana.kernel.text import CheckedTextModel, TextKind
from raqmana.territories.models import Territory
from raqmana.workflows.models import TransitionRecord

from .constants import COLLECTIVITY_LEVELS, DifferenceKind, GatewayAttempt, PaymentState, RefundState, StatementState


class Fee(CheckedTextModel):
    """What a service costs in one collectivity over a period: a communal fee, or a national tariff (a stamp duty)
    where the collectivity is empty. A tariff change is a new row valid from the day it applies (tomorrow at the
    earliest); no row is ever edited, so a payment keeps the tariff it was charged. A row with no last day runs
    until the next row of its code and collectivity starts; rows whose own dates meet are refused.
    `selectors.fee_in_force` finds the one that applies."""

    text_kinds = {"label_ar": TextKind.ARABIC_TEXT, "label_fr": TextKind.LATIN_TEXT}

    code = models.SlugField(_("code"), max_length=40)
    collectivity = models.ForeignKey(
        Territory,
        verbose_name=_("collectivity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": COLLECTIVITY_LEVELS},
        help_text=_("Empty for a national tariff, in force wherever a collectivity has set none."),
    )
    label_ar = models.CharField(_("Arabic label"), max_length=200)
    label_fr = models.CharField(_("French label"), max_length=200)
    amount = models.DecimalField(_("amount (MAD)"), max_digits=10, decimal_places=2)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Last day in force; empty: until the next tariff.")
    )

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["code", "collectivity", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="fee_valid_until_after_from",
            ),
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                condition=models.Q(collectivity__isnull=True),
                name="fee_national_start",
                violation_error_message=_("Another tariff of this fee starts on the same day."),
            ),
            models.UniqueConstraint(
                fields=["code", "collectivity", "valid_from"],
                condition=models.Q(collectivity__isnull=False),
                name="fee_local_start",
                violation_error_message=_("Another tariff of this fee starts on the same day."),
            ),
        ]
        indexes = [models.Index(fields=["code", "collectivity", "valid_from"], name="fee_in_force")]

    def __str__(self):
        until = self.valid_until or "…"
        return f"{self.label_fr} — {format_money(self.amount, language='fr')} ({self.valid_from} – {until})"

    def clean(self):
        super().clean()
        if self.collectivity_id and self.collectivity.level not in COLLECTIVITY_LEVELS:
            raise ValidationError(
                {"collectivity": _("Fees are levied by a commune, a province or prefecture, or a region.")},
                code="fee_collectivity",
            )
        if self._state.adding and self.valid_from and self.valid_from <= timezone.localdate():
            raise ValidationError(
                {"valid_from": _("A new tariff applies from tomorrow at the earliest: today's payments keep theirs.")},
                code="fee_past",
            )
        if self.valid_from and self.code and self.overlapping().exists():
            raise ValidationError(
                _("Another tariff of this fee and collectivity is in force during these dates."), code="fee_overlap"
            )

    def overlapping(self) -> models.QuerySet["Fee"]:
        """The other rows of this code and collectivity whose own dates meet this row's. A row with no last day
        runs until the next row starts: it meets none that starts after it."""
        rows = Fee.objects.filter(code=self.code, collectivity=self.collectivity_id).exclude(pk=self.pk)
        # A later row starting within this one's dates; an earlier row that ends on or after this one starts.
        starts_within = models.Q(valid_from=self.valid_from)
        if self.valid_until is not None:
            starts_within = models.Q(valid_from__gte=self.valid_from, valid_from__lte=self.valid_until)
        still_in_force = models.Q(valid_from__lt=self.valid_from, valid_until__gte=self.valid_from)
        return rows.filter(starts_within | still_in_force)


class Payment(models.Model):
    """A sum owed for a service and its settlement through the payment provider. Money goes to the Treasury's
    account at the provider: the platform only records what is owed and the provider's confirmation."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="payments"
    )
    fee = models.ForeignKey(Fee, verbose_name=_("fee"), on_delete=models.PROTECT, related_name="+")
    # The collectivity the service is rendered for, to which the sum is owed.
    collectivity = models.ForeignKey(
        Territory, verbose_name=_("collectivity"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount (MAD)"), max_digits=10, decimal_places=2)
    description = models.CharField(_("description"), max_length=300)
    # What the payment is for (an app's model label and primary key), so the right app hears of its outcome.
    for_model = models.CharField(max_length=100)
    for_id = models.CharField(max_length=40)
    provider = models.CharField(_("payment provider"), max_length=40)
    provider_reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    # What the provider says it took, kept as it said it: a sum or currency other than owed leaves it mismatched.
    received_amount = models.DecimalField(_("amount received"), max_digits=10, decimal_places=2, null=True, blank=True)
    received_currency = models.CharField(_("currency received"), max_length=3, blank=True)
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
        return f"{self.reference} — {format_money(self.amount)} ({self.get_state_display()})"


class PaymentTransition(TransitionRecord):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=PaymentState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=PaymentState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.payment_id}: {self.from_state} → {self.to_state}"


class Refund(models.Model):
    """Money given back for a payment, asked of the provider by a task after the decision is committed. The
    idempotency key goes with every attempt, so that the provider refunds once however often it is asked."""

    payment = models.OneToOneField(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refund")
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    amount = models.DecimalField(_("amount (MAD)"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=RefundState.choices, default=RefundState.REQUESTED)
    provider_reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.idempotency_key} — {format_money(self.amount, self.currency)} ({self.get_state_display()})"


class RefundTransition(TransitionRecord):
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=RefundState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=RefundState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.refund_id}: {self.from_state} → {self.to_state}"


class RefundAttempt(models.Model):
    """One call to the provider for a refund: what it answered, or the error that stopped it."""

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="attempts")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    provider_reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("refund attempt")
        verbose_name_plural = _("refund attempts")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.refund_id} {self.at:%Y-%m-%d %H:%M} {self.error or self.provider_reference}"


class SimulatedGatewayEntry(models.Model):
    """The simulated gateway's own books (development and tests): what it took and gave back, by reference. It
    answers refunds and statements from them, as a real gateway does from its own."""

    reference = models.CharField(max_length=24, db_index=True)
    state = models.CharField(max_length=10, choices=StatementState.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    provider_reference = models.CharField(max_length=100, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.reference} {self.state} {self.amount} {self.currency}"


class SimulatedGatewayAttempt(models.Model):
    """The simulated gateway's record of a payer who did not pay (development and tests): declined by the bank, or
    left on its page. It answers `status` from these and its entries, as a real gateway does from its own log."""

    reference = models.CharField(max_length=24, db_index=True)
    outcome = models.CharField(max_length=10, choices=GatewayAttempt.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.reference} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class ReconciliationRun(models.Model):
    """One comparison of the provider's statement with the records (`manage.py reconcile_payments`)."""

    at = models.DateTimeField(_("at"), auto_now_add=True)
    source = models.CharField(_("statement"), max_length=300)
    date_from = models.DateField(_("first day"))
    date_to = models.DateField(_("last day"))
    lines = models.PositiveIntegerField(_("statement lines"))

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.date_from}–{self.date_to} ({self.source})"


class ReconciliationDifference(models.Model):
    """A difference between the provider's statement and the records, found by a reconciliation."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.PROTECT, related_name="differences")
    kind = models.CharField(_("difference"), max_length=24, choices=DifferenceKind.choices)
    reference = models.CharField(_("reference"), max_length=100)
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded = models.CharField(_("recorded here"), max_length=40, blank=True)
    at_provider = models.CharField(_("at the provider"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        ordering = ["run", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reference} ({self.recorded or '—'} / {self.at_provider or '—'})"
