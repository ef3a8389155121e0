"""Payments made for a person's account stand for any app's object: the callbacks the test registers only note
which payments they heard of. They are owed to a commune of their own."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import RequestFactory

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.tests.conftest import birth_act  # noqa: F401 (a fixture)
from raqmana.payments import callbacks, services
from raqmana.payments.providers import payment_provider
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory


@pytest.fixture
def heard(monkeypatch):
    """The payments whose app was told they are paid."""
    told = []
    monkeypatch.setitem(callbacks._registry, "accounts.user", callbacks.PaymentCallbacks(on_paid=told.append))
    return told


def a_commune(rank=0):
    """One of the real communes the test database holds."""
    return Territory.objects.filter(level=Level.COMMUNE).order_by("code")[rank]


@pytest.fixture
def payer(db):
    return UserFactory(full_name="Salma Bennani")


def new_payment(payer, fee_code="birth_extract", collectivity=None):
    return services.create_payment(
        payer,
        fee_code,
        collectivity=collectivity or a_commune(),
        description="Extract",
        for_object=payer,
        return_url="/",
    )


def gateway_outcome(payment, paid=True, **taken):
    """Pay on the simulated gateway (`taken`: amount, currency) and read back its signed answer."""
    provider = payment_provider()
    answer = provider.answer(payment, paid, **taken)
    token = parse_qs(urlparse(answer).query)["token"][0]
    return provider.outcome(RequestFactory().get("/", {"token": token}))


def paid_payment(payer, **taken):
    payment = new_payment(payer)
    return services.settle(gateway_outcome(payment, **taken))
