"""Payments made for a person's account stand for any app's object: the handler the test registers only notes
which payments it heard of."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import RequestFactory

from raqmana.accounts.tests.factories import UserFactory
from raqmana.documents.tests.conftest import birth_act  # noqa: F401 (a fixture)
from raqmana.payments import services
from raqmana.payments.providers import payment_provider


@pytest.fixture
def heard(monkeypatch):
    """The payments whose app was told they are paid."""
    told = []
    monkeypatch.setitem(services._paid_handlers, "accounts.user", told.append)
    return told


@pytest.fixture
def payer(db):
    return UserFactory(full_name="Salma Bennani")


def new_payment(payer, fee_code="birth_extract"):
    return services.create_payment(payer, fee_code, description="Extract", for_object=payer, return_url="/")


def gateway_outcome(payment, paid=True, **taken):
    """Pay on the simulated gateway (`taken`: amount, currency) and read back its signed answer."""
    provider = payment_provider()
    answer = provider.answer(payment, paid, **taken)
    token = parse_qs(urlparse(answer).query)["token"][0]
    return provider.outcome(RequestFactory().get("/", {"token": token}))


def paid_payment(payer, **taken):
    payment = new_payment(payer)
    return services.settle(gateway_outcome(payment, **taken))
