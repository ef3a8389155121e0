"""An app hears of its payments' outcomes through the callbacks it registered for its model; a payment for a
model nobody registered is refused when it is created."""

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from raqmana.payments import callbacks, services
from raqmana.payments.constants import PaymentState
from raqmana.payments.tests.conftest import gateway_outcome, new_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(monkeypatch):
    """Every outcome the registered app heard of, in order."""
    heard = []

    def note(outcome):
        return lambda payment: heard.append((outcome, payment.reference, payment.state))

    registered = callbacks.PaymentCallbacks(
        on_paid=note("paid"), on_failed=note("failed"), on_mismatched=note("mismatched"), on_refunded=note("refunded")
    )
    monkeypatch.setitem(callbacks._registry, "accounts.user", registered)
    return heard


def test_the_registered_app_hears_of_each_outcome(payer, told):
    declined, mismatched = new_payment(payer), new_payment(payer)
    services.settle(gateway_outcome(declined, paid=False))
    paid = services.settle(gateway_outcome(declined))
    services.settle(gateway_outcome(declined))  # a repeated answer is heard once
    services.settle(gateway_outcome(mismatched, amount=Decimal("1.00")))
    services.refund(paid, by=None, reason="Refused")
    assert told == [
        ("failed", declined.reference, PaymentState.FAILED),
        ("paid", declined.reference, PaymentState.PAID),
        ("mismatched", mismatched.reference, PaymentState.MISMATCHED),
        ("refunded", declined.reference, PaymentState.REFUNDED),
    ]


def test_callbacks_other_than_on_paid_are_optional(payer, heard):
    payment = services.settle(gateway_outcome(new_payment(payer)))
    assert services.refund(payment, by=None, reason="Refused").state == PaymentState.REFUNDED
    assert heard == [payment]


def test_a_payment_for_a_model_nobody_registered_is_refused_when_created(payer, monkeypatch):
    monkeypatch.delitem(callbacks._registry, "accounts.user", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"accounts\.user"):
        new_payment(payer)
    assert not payer.payments.exists()


def test_an_app_registers_once(monkeypatch):
    monkeypatch.setattr(callbacks, "_registry", {})
    callbacks.register("accounts.user", on_paid=print)
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        callbacks.register("accounts.user", on_paid=print)


def test_civil_status_documents_registers_its_orders_in_its_app_config():
    from raqmana.civil_status_documents.services import order_paid

    assert callbacks.callbacks_for("civil_status_documents.documentorder").on_paid is order_paid
