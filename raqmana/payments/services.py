"""Payments: what is owed to a collectivity, the provider's answer checked against it, refunds; the tariffs. The app
a payment is for hears of its outcomes through the callbacks it registered for its model (`callbacks.register`)."""

import hashlib
import logging
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from raqmana.access.registry import PERMISSIONS
from raqmana.audit.services import record
from raqmana.kernel.codes import random_code
from raqmana.kernel.numbers import format_money
from raqmana.kernel.tasks import enqueue_on_commit
from raqmana.kernel.text import machine_text
from raqmana.territories.models import AdministrativeUnit, Territory

from . import callbacks
from .constants import (
    COLLECTIVITY_LEVELS,
    CURRENCY,
    REFUND_LOST_AFTER_MINUTES,
    REFUND_RETRY_MINUTES,
    PaymentState,
    RefundState,
)
from .models import Fee, Payment, Refund, RefundAttempt
from .providers import Outcome, ProviderError, payment_provider
from .selectors import collectivity_of, fee_in_force
from .tasks import send_refund
from .workflows import PAYMENT_WORKFLOW, REFUND_WORKFLOW

if TYPE_CHECKING:
    from raqmana.accounts.models import User

logger = logging.getLogger(__name__)


def new_reference() -> str:
    return "RQP-" + random_code(12)


@transaction.atomic
def create_payment(
    payer: "User",
    fee_code: str,
    *,
    collectivity: Territory,
    description: str,
    for_object: models.Model,
    return_url: str,
    quantity: Decimal = Decimal(1),
) -> Payment:
    """What `payer` owes `collectivity` for `fee_code` at the tariff in force there today, `quantity` times (a tax per
    square metre), to the centime, to be paid through the configured provider. The app of `for_object` must have
    registered its callbacks (`callbacks.register`)."""
    callbacks.callbacks_for(for_object._meta.label_lower)
    if collectivity.level not in COLLECTIVITY_LEVELS:
        raise ValueError(f"{collectivity} is not a collectivity: fees are owed to communes, provinces, regions.")
    provider = payment_provider()
    if provider is None:
        raise ValidationError(_("Online payment is not available yet: pay at the office's counter."))
    fee = fee_in_force(fee_code, collectivity)
    payment = Payment.objects.create(
        reference=new_reference(),
        payer=payer,
        fee=fee,
        collectivity=collectivity,
        amount=(fee.amount * quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        description=description,
        for_model=for_object._meta.label_lower,
        for_id=str(for_object.pk),
        provider=provider.name,
        return_url=return_url,
    )
    PAYMENT_WORKFLOW.open(payment, by=payer)
    return payment


@transaction.atomic
def add_fee(
    code: str,
    *,
    collectivity: Territory | None,
    amount: Decimal,
    valid_from: date,
    valid_until: date | None = None,
    label_ar: str,
    label_fr: str,
    legal_basis: str,
) -> Fee:
    """A tariff of `code` in `collectivity` (None: the national tariff) from `valid_from`, tomorrow at the earliest.
    A change of tariff is this new row: the row in force until then is left as it is, so the payments charged with
    it keep it, and runs until the new one starts. Refused when its dates meet another row's (`Fee.clean`)."""
    serialise_tariff_changes(code, collectivity)
    fee = Fee(
        code=code,
        collectivity=collectivity,
        amount=amount,
        valid_from=valid_from,
        valid_until=valid_until,
        label_ar=label_ar,
        label_fr=label_fr,
        legal_basis=legal_basis,
    )
    fee.full_clean()
    fee.save()
    return fee


def serialise_tariff_changes(code: str, collectivity: Territory | None) -> None:
    """Make the changes of one tariff (a code in a collectivity) wait for each other until the transaction ends, so
    that two made at once, even the first two, which have no row to lock, never both pass `Fee.clean`. PostgreSQL:
    a transaction-level advisory lock on a key drawn from the pair; SQLite runs one writer at a time."""
    if connection.vendor != "postgresql":
        return
    name = f"payments.fee:{code}:{collectivity.pk if collectivity else 'national'}"
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def checkout_url(payment: Payment) -> str:
    return payment_provider().start(payment)


def lock(payment: Payment) -> Payment:
    """The payment's row, re-read and locked until the transaction ends."""
    return Payment.objects.select_for_update().get(pk=payment.pk)


@transaction.atomic
def settle(outcome: Outcome) -> Payment:
    """Record what the provider reports. A repeated report changes nothing; a payment becomes paid only once,
    and its app's handler runs in the same transaction. Money taken after the payer cancelled is recorded too:
    the handler gives it back. A sum or currency other than owed is recorded as a mismatch, for review: the
    handler is not called, so nothing is issued for it."""
    payment = Payment.objects.select_for_update().get(reference=outcome.reference)
    if payment.state in {PaymentState.PAID, PaymentState.MISMATCHED, PaymentState.REFUNDED}:
        return payment
    if not outcome.paid:
        if payment.state == PaymentState.PENDING:
            PAYMENT_WORKFLOW.move(payment, PaymentState.FAILED, by=None, reason=outcome.provider_reference)
            payment.save(update_fields=["state"])
            record(
                actor=None,
                action="payment.failed",
                target=payment,
                territory=payment.collectivity,
                details={"amount": str(payment.amount)},
            )
            callbacks.tell(payment, "failed")
        return payment
    payment.provider_reference, payment.paid_at = outcome.provider_reference, timezone.now()
    payment.received_amount, payment.received_currency = outcome.amount, outcome.currency
    details = {
        "amount": str(payment.amount),
        "currency": CURRENCY,
        "received_amount": str(outcome.amount),
        "received_currency": outcome.currency,
        "provider_reference": outcome.provider_reference,
    }
    if paid_as_owed(payment, outcome):
        PAYMENT_WORKFLOW.move(payment, PaymentState.PAID, by=None, reason=outcome.provider_reference)
        record(actor=None, action="payment.paid", target=payment, territory=payment.collectivity, details=details)
    else:
        reason = _("%(received)s received for %(amount)s owed.") % {
            "received": format_money(outcome.amount, outcome.currency),
            "amount": format_money(payment.amount),
        }
        PAYMENT_WORKFLOW.move(payment, PaymentState.MISMATCHED, by=None, reason=reason)
        record(
            actor=None,
            action="payment.mismatched",
            target=payment,
            territory=payment.collectivity,
            reason=reason,
            details=details,
        )
    payment.save(update_fields=["state", "provider_reference", "paid_at", "received_amount", "received_currency"])
    if payment.state == PaymentState.PAID:
        callbacks.tell(payment, "paid")
        payment.refresh_from_db(fields=["state"])  # the app gives back money for what was cancelled meanwhile
    else:
        callbacks.tell(payment, "mismatched")
    return payment


def belongs_to(place: AdministrativeUnit | Territory, collectivity_id: int) -> bool:
    """Whether a unit, or a territory, is of the collectivity `collectivity_id` (an arrondissement's is its
    commune's)."""
    territory = place.territory if isinstance(place, AdministrativeUnit) else place
    return collectivity_of(territory).pk == collectivity_id


def paid_as_owed(payment: Payment, outcome: Outcome) -> bool:
    """The provider took exactly the sum owed, in dirhams: neither short nor over, nor in another currency."""
    return outcome.amount == payment.amount and outcome.currency == CURRENCY


@transaction.atomic
def refund(
    payment: Payment,
    *,
    by: "User | None",
    reason: str | Promise,
    at: AdministrativeUnit | Territory | None = None,
) -> Payment:
    """Give back the money taken for a payment (paid, or paid a sum other than owed). The decision and the refund
    are recorded here; the provider is asked by a task once they are committed (`send_refund`), so that a
    decision rolled back never returns money, and with the refund's idempotency key, so that it refunds once.

    A person gives back only a payment owed to the collectivity of the unit they act from, `at` (for an order
    refused, the office that keeps the act: an arrondissement's office belongs to its commune), where they must
    hold "payments.payment.refund"; without `at`, the permission is checked at the payment's collectivity itself
    (a superuser, from the administration). `by` None is the system (an order cancelled or expired when paid)."""
    if by is not None and at is not None and not belongs_to(at, payment.collectivity_id):
        raise PermissionDenied(PERMISSIONS["payments.payment.refund"].refusal)
    payment = lock(payment)
    if payment.state not in {PaymentState.PAID, PaymentState.MISMATCHED}:
        return payment
    assert payment.received_amount is not None  # settle() records what was received with a paid or mismatched state
    PAYMENT_WORKFLOW.move(payment, PaymentState.REFUNDED, by=by, reason=reason, at=at)
    payment.save(update_fields=["state"])
    money_back = Refund.objects.create(
        payment=payment,
        idempotency_key=f"{payment.reference}-refund",  # one refund per payment: the key never changes
        amount=payment.received_amount,
        currency=payment.received_currency,
        reason=str(reason)[:300],
    )
    REFUND_WORKFLOW.open(money_back, by=by)
    details = {"amount": str(money_back.amount), "currency": money_back.currency}
    record(
        actor=by,
        action="payment.refunded",
        target=payment,
        territory=payment.collectivity,
        reason=reason,
        details=details,
    )
    enqueue_on_commit(send_refund, money_back.pk)
    callbacks.tell(payment, "refunded")
    return payment


@transaction.atomic
def ask_provider_for_refund(refund_id: int) -> str:
    """One attempt at a refund (the task `send_refund`): the provider's answer, or its error, is recorded. A
    failed attempt is tried again later (REFUND_RETRY_MINUTES); after the last, the refund is marked failed, for
    the administration to ask again. Returns the refund's state."""
    # The row stays locked while the provider is asked: two workers never ask at once.
    money_back = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
    if money_back.state != RefundState.REQUESTED:  # a task run twice asks once
        return money_back.state
    provider = payment_provider()
    try:
        if provider is None:
            raise ProviderError("No payment provider is configured.")
        with transaction.atomic():  # a savepoint: whatever the provider wrote and failed is undone alone
            provider_reference = provider.refund(
                money_back.payment,
                amount=money_back.amount,
                currency=money_back.currency,
                idempotency_key=money_back.idempotency_key,
            )
    # Any failure of the gateway is recorded and tried again, never lost. Its technical text is for the administration
    # only (the refund's attempts in the admin); the citizen reads the refund's state.
    except Exception as error:
        return _refund_attempt_failed(money_back, machine_text(str(error), 300) or type(error).__name__)
    RefundAttempt.objects.create(refund=money_back, provider_reference=provider_reference)
    money_back.provider_reference, money_back.confirmed_at = provider_reference, timezone.now()
    REFUND_WORKFLOW.move(money_back, RefundState.CONFIRMED, by=None, reason=provider_reference)
    money_back.save(update_fields=["state", "provider_reference", "confirmed_at"])
    record(
        actor=None,
        action="payment.refund_confirmed",
        target=money_back.payment,
        territory=money_back.payment.collectivity,
        details={"amount": str(money_back.amount), "currency": money_back.currency, "refund": provider_reference},
    )
    return money_back.state


def _refund_attempt_failed(money_back: Refund, error: str) -> str:
    RefundAttempt.objects.create(refund=money_back, error=error)
    asked_at = money_back.transitions.filter(to_state=RefundState.REQUESTED).latest("at", "pk").at
    failures = money_back.attempts.filter(at__gte=asked_at).count()
    if failures <= len(REFUND_RETRY_MINUTES):
        enqueue_on_commit(send_refund, money_back.pk, delay=timedelta(minutes=REFUND_RETRY_MINUTES[failures - 1]))
        return money_back.state
    REFUND_WORKFLOW.move(money_back, RefundState.FAILED, by=None, reason=error)
    money_back.save(update_fields=["state"])
    record(
        actor=None,
        action="payment.refund_failed",
        target=money_back.payment,
        territory=money_back.payment.collectivity,
        reason=error,
        details={"amount": str(money_back.amount), "currency": money_back.currency, "attempts": failures},
    )
    return money_back.state


def refund_attempt_due(money_back: Refund) -> datetime:
    """When a refund asked of the provider should have had its next attempt, with a margin for its task to run:
    REFUND_LOST_AFTER_MINUTES after it was asked, or after the retry delay that followed its last failure."""
    asked_at = money_back.transitions.filter(to_state=RefundState.REQUESTED).latest("at", "pk").at
    failures = list(money_back.attempts.filter(at__gte=asked_at).order_by("at", "pk"))
    last = failures[-1].at if failures else asked_at
    wait = REFUND_RETRY_MINUTES[min(len(failures), len(REFUND_RETRY_MINUTES)) - 1] if failures else 0
    return last + timedelta(minutes=wait + REFUND_LOST_AFTER_MINUTES)


def resume_refunds(*, now: datetime | None = None) -> int:
    """The periodic sweep of refunds whose task was lost (the broker down when it was queued, a worker killed): each
    refund still asked of the provider past its due attempt (`refund_attempt_due`) is asked again, with its key, so
    that the provider refunds once however often it is asked. Returns how many were asked."""
    now = now or timezone.now()
    asked = 0
    for money_back in Refund.objects.filter(state=RefundState.REQUESTED).order_by("pk"):
        if refund_attempt_due(money_back) > now:
            continue
        asked += 1
        try:
            ask_provider_for_refund(money_back.pk)
        except Exception:  # the database or the provider: logged, and the next sweep asks again
            logger.exception("Could not ask again for refund %s.", money_back.idempotency_key)
    return asked


@transaction.atomic
def ask_refund_again(money_back: Refund, *, by: "User") -> Refund:
    """A refund the provider did not confirm after every attempt is asked again, with the same key."""
    money_back = Refund.objects.select_for_update().get(pk=money_back.pk)
    if money_back.state != RefundState.FAILED:
        return money_back
    REFUND_WORKFLOW.move(money_back, RefundState.REQUESTED, by=by, reason=_("Asked again."))
    money_back.save(update_fields=["state"])
    record(
        actor=by,
        action="payment.refund_asked_again",
        target=money_back.payment,
        territory=money_back.payment.collectivity,
    )
    enqueue_on_commit(send_refund, money_back.pk)
    return money_back


@transaction.atomic
def cancel(payment: Payment, *, by: "User | None", reason: str | Promise = "") -> Payment:
    """The payment is no longer wanted: cancelled while none was taken; money taken later is still recorded."""
    payment = lock(payment)
    if payment.state in {PaymentState.PENDING, PaymentState.FAILED}:
        PAYMENT_WORKFLOW.move(payment, PaymentState.CANCELLED, by=by, reason=reason)
        payment.save(update_fields=["state"])
    return payment
