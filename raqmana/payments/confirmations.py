"""Payments whose provider's answer never arrived, or arrived and failed to be recorded (a callback that raised, a
connection cut after the money was taken): the provider is asked where each stands (`PaymentProvider.status`) and
its word is settled (`services.settle`, which counts a repeated answer once, so that the gateway's own late repeat
changes nothing after it), or a payment still unpaid past its expiry is cancelled. The periodic task
`settle_pending_payments` (every five minutes, `manage.py settle_pending_payments` once) asks about every payment
pending past RAQMANA_PAYMENT_CONFIRMATION_MINUTES, and about the failed or cancelled ones money may still come for;
the payer's "check now" asks about one."""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.audit.services import record

from .constants import PaymentState, Verdict
from .models import Payment
from .providers import ProviderError, payment_provider
from .selectors import payments_to_confirm
from .services import lock, settle
from .workflows import PAYMENT_WORKFLOW

logger = logging.getLogger(__name__)

SETTLED_STATES = {PaymentState.PAID, PaymentState.MISMATCHED, PaymentState.REFUNDED}


@dataclass
class Sweep:
    """What one run of `settle_pending_payments` did: payments asked about, settled as paid (or mismatched),
    declined, cancelled past their expiry, left as they were, and those whose asking or settling failed (logged,
    asked again next run)."""

    asked: int = 0
    settled: int = 0
    declined: int = 0
    cancelled: int = 0
    unchanged: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def expiry() -> timedelta:
    return timedelta(days=settings.RAQMANA_PAYMENT_EXPIRY_DAYS)


def confirm_payment(payment: Payment, *, now: datetime | None = None) -> Payment:
    """Ask the provider where `payment` stands and act on its word: money taken, or a decline, is settled as if its
    answer had come; a payment still unpaid (declined, abandoned on the provider's page, or unknown there) past
    RAQMANA_PAYMENT_EXPIRY_DAYS is cancelled with the reason recorded. Raises ProviderError when the provider
    cannot be asked. Returns the payment as it now is."""
    now = now or timezone.now()
    provider = payment_provider()
    if provider is None:
        raise ProviderError("No payment provider is configured.")
    status = provider.status(payment)
    if status.verdict in {Verdict.PAID, Verdict.DECLINED}:
        if status.outcome is None or status.outcome.reference != payment.reference:
            raise ProviderError(f"The provider's {status.verdict} for {payment.reference} names no outcome of it.")
        payment = settle(status.outcome)
    if status.verdict != Verdict.PAID and payment.created_at <= now - expiry():
        payment = expire(payment, Verdict(status.verdict))
    return payment


@transaction.atomic
def expire(payment: Payment, verdict: Verdict) -> Payment:
    """A payment still unpaid past its expiry is cancelled by the system, with the provider's word as the reason;
    money taken later is still recorded, and given back by its app (`services.settle`)."""
    payment = lock(payment)
    if payment.state not in {PaymentState.PENDING, PaymentState.FAILED}:
        return payment
    reason = _("Not paid within %(days)s days: %(verdict)s.") % {
        "days": settings.RAQMANA_PAYMENT_EXPIRY_DAYS,
        "verdict": verdict.label,
    }
    PAYMENT_WORKFLOW.move(payment, PaymentState.CANCELLED, by=None, reason=reason)
    payment.save(update_fields=["state"])
    record(
        actor=None,
        action="payment.expired",
        target=payment,
        territory=payment.collectivity,
        reason=reason,
        details={"amount": str(payment.amount), "verdict": str(verdict)},
    )
    return payment


def settle_pending_payments(*, now: datetime | None = None) -> Sweep:
    """The periodic sweep: every payment pending past RAQMANA_PAYMENT_CONFIRMATION_MINUTES, and every failed or
    cancelled one whose last step is more recent than RAQMANA_PAYMENT_EXPIRY_DAYS (a payer who paid again after a
    decline, a gateway that took the money after the cancel), is asked about and settled or expired. Whatever fails
    for one payment (the provider down, its app's callback) is logged and left for the next run; the others go on."""
    now = now or timezone.now()
    sweep = Sweep()
    provider = payment_provider()
    if provider is None:
        return sweep
    pending_since = now - timedelta(minutes=settings.RAQMANA_PAYMENT_CONFIRMATION_MINUTES)
    for payment in payments_to_confirm(provider.name, pending_since=pending_since, stepped_since=now - expiry()):
        sweep.asked += 1
        before = payment.state
        try:
            after = confirm_payment(payment, now=now).state
        except Exception:  # the provider, the database or the payment's app: logged, asked again next run
            logger.exception("Could not confirm payment %s: asked again next run.", payment.reference)
            sweep.errors += 1
            continue
        if after in SETTLED_STATES and before not in SETTLED_STATES:
            sweep.settled += 1
        elif after == PaymentState.FAILED and before == PaymentState.PENDING:
            sweep.declined += 1
        elif after == PaymentState.CANCELLED and before != PaymentState.CANCELLED:
            sweep.cancelled += 1
        else:
            sweep.unchanged += 1
    return sweep
