"""Payments: what is owed, the provider's answer, refunds. The app a payment is for hears of it being paid
through the handler it registered for its model (`when_paid`)."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.audit.services import record
from raqmana.core.workflow import move

from .constants import PAYMENT_TRANSITIONS, PaymentState
from .models import Fee, Payment, PaymentTransition
from .providers import payment_provider

_paid_handlers = {}


def when_paid(model_label, handler):
    """Register `handler(payment)`, called inside the transaction that records a payment for `model_label`."""
    _paid_handlers[model_label] = handler


def new_reference():
    return "RQP-" + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))


@transaction.atomic
def create_payment(payer, fee_code, *, description, for_object, return_url):
    """What `payer` owes for `fee_code`, to be paid through the configured provider."""
    provider = payment_provider()
    if provider is None:
        raise ValidationError(_("Online payment is not available yet: pay at the office's counter."))
    fee = Fee.objects.get(code=fee_code)
    payment = Payment.objects.create(
        reference=new_reference(),
        payer=payer,
        fee=fee,
        amount=fee.amount,
        description=description,
        for_model=for_object._meta.label_lower,
        for_id=str(for_object.pk),
        provider=provider.name,
        return_url=return_url,
    )
    PaymentTransition.objects.create(payment=payment, from_state="", to_state=PaymentState.PENDING, by=payer)
    return payment


def checkout_url(payment):
    return payment_provider().start(payment)


def lock(payment):
    """The payment's row, re-read and locked until the transaction ends."""
    return Payment.objects.select_for_update().get(pk=payment.pk)


@transaction.atomic
def settle(outcome):
    """Record what the provider reports. A repeated report changes nothing; a payment becomes paid only once,
    and its app's handler runs in the same transaction. Money taken after the payer cancelled is recorded too:
    the handler gives it back."""
    payment = Payment.objects.select_for_update().get(reference=outcome.reference)
    if payment.state in {PaymentState.PAID, PaymentState.REFUNDED}:
        return payment
    to_state = PaymentState.PAID if outcome.paid else PaymentState.FAILED
    if to_state == payment.state or (payment.state == PaymentState.CANCELLED and not outcome.paid):
        return payment
    _move(payment, to_state, by=None, reason=outcome.provider_reference)
    if outcome.paid:
        payment.provider_reference, payment.paid_at = outcome.provider_reference, timezone.now()
    payment.save(update_fields=["state", "provider_reference", "paid_at"])
    record(actor=None, action=f"payment.{to_state}", target=payment, details={"amount": str(payment.amount)})
    if outcome.paid:
        _paid_handlers[payment.for_model](payment)
    return payment


@transaction.atomic
def refund(payment, *, by, reason):
    """Give back a paid payment. The refund is recorded first and the provider asked last, so that a failure of
    the provider undoes the record rather than leaving money returned and the payment still marked paid."""
    payment = lock(payment)
    if payment.state != PaymentState.PAID:
        return payment
    _move(payment, PaymentState.REFUNDED, by=by, reason=reason)
    payment.save(update_fields=["state"])
    record(actor=by, action="payment.refunded", target=payment, reason=reason)
    provider_reference = payment_provider().refund(payment)
    payment.transitions.filter(to_state=PaymentState.REFUNDED).update(reason=f"{reason} ({provider_reference})"[:300])
    return payment


@transaction.atomic
def cancel(payment, *, by):
    payment = lock(payment)
    if payment.state in {PaymentState.PENDING, PaymentState.FAILED}:
        _move(payment, PaymentState.CANCELLED, by=by, reason="")
        payment.save(update_fields=["state"])
    return payment


def _move(payment, to_state, *, by, reason):
    move(
        payment,
        to_state,
        states=PaymentState,
        transitions=PAYMENT_TRANSITIONS,
        log=PaymentTransition,
        link="payment",
        by=by,
        reason=reason,
        refused=_("A payment cannot go from “%(from)s” to “%(to)s”."),
    )
