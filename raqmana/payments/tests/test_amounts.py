"""The provider's answer carries the sum and currency it took; a payment is paid only when they are what is
owed. Any other sum is recorded as a mismatch, audited, and nothing is issued for it."""

from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import signing
from django.urls import reverse

from raqmana.audit.models import AuditEvent
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.services import place_order
from raqmana.documents.models import IssuedDocument
from raqmana.payments import services
from raqmana.payments.constants import PaymentState
from raqmana.payments.providers import Outcome, SimulatedProvider, parse_amount, parse_currency

from .conftest import gateway_outcome, new_payment

pytestmark = pytest.mark.django_db


def test_a_short_payment_issues_nothing_and_is_recorded(client, payer, birth_act, django_capture_on_commit_callbacks):
    client.force_login(payer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    order = place_order(payer, birth_act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="",
                        purpose="Passport")  # fmt: skip
    gateway = reverse("payments:simulated", args=[order.payment.reference])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(gateway, {"choice": "half"}).url
        back = client.get(answer)
    assert back.url == reverse("documents:order", args=[order.pk])
    [told] = get_messages(back.wsgi_request)
    assert "is not the sum owed" in str(told)
    order.refresh_from_db()
    payment = order.payment
    assert order.state == OrderState.AWAITING_PAYMENT and order.document is None
    assert not IssuedDocument.objects.exists()
    assert payment.state == PaymentState.MISMATCHED
    assert (payment.amount, payment.received_amount, payment.received_currency) == (2, Decimal("1.00"), "MAD")
    step = payment.transitions.last()
    assert (step.from_state, step.to_state, step.by) == ("pending", "mismatched", None)
    assert "1.00\xa0MAD received for 2.00\xa0MAD owed" in step.reason
    event = AuditEvent.objects.get(action="payment.mismatched")
    assert event.details["received_amount"] == "1.00" and event.details["amount"] == "2.00"
    assert 'value="pay"' not in client.get(gateway).text  # the gateway takes no second payment
    client.get(answer)  # the same answer again changes nothing
    assert payment.transitions.count() == 2


@pytest.mark.parametrize(
    ("amount", "currency", "state"),
    [
        ("2.00", "MAD", PaymentState.PAID),
        ("1.99", "MAD", PaymentState.MISMATCHED),
        ("2.01", "MAD", PaymentState.MISMATCHED),
        ("2.00", "EUR", PaymentState.MISMATCHED),
    ],
)
def test_only_the_sum_owed_in_dirhams_pays(payer, heard, amount, currency, state):
    payment = new_payment(payer)
    settled = services.settle(gateway_outcome(payment, amount=Decimal(amount), currency=currency))
    assert settled.state == state
    assert (settled.received_amount, settled.received_currency) == (Decimal(amount), currency)
    assert heard == ([settled] if state == PaymentState.PAID else [])


def test_a_mismatched_payment_stays_so_when_the_right_sum_follows(payer, heard):
    payment = new_payment(payer)
    services.settle(Outcome(payment.reference, True, Decimal("2.00"), "EUR", "GW-1"))
    settled = services.settle(Outcome(payment.reference, True, Decimal("2.00"), "MAD", "GW-2"))
    assert settled.state == PaymentState.MISMATCHED and settled.provider_reference == "GW-1" and heard == []


def answer_url(message):
    token = signing.dumps(message, salt=SimulatedProvider.SALT)
    return f"{reverse('payments:returned', args=['simulated'])}?token={token}"


def test_an_answer_without_a_sum_or_with_a_float_is_refused(client, payer, heard):
    payment = new_payment(payer)
    message = {"reference": payment.reference, "paid": True, "provider_reference": "SIM-1"}
    assert client.get(answer_url(message)).status_code == 400
    assert client.get(answer_url({**message, "amount": 2.0, "currency": "MAD"})).status_code == 400
    assert client.get(answer_url({**message, "amount": "2.00", "currency": "dirham"})).status_code == 400
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and heard == []


def test_the_sum_in_the_answer_is_signed(client, payer, heard):
    payment = new_payment(payer)
    answer = SimulatedProvider().answer(payment, True, amount=Decimal("1.00"))
    token = parse_qs(urlparse(answer).query)["token"][0]
    message = signing.loads(token, salt=SimulatedProvider.SALT)
    forged = signing.dumps({**message, "amount": "2.00"}, salt=SimulatedProvider.SALT, key="not the site's key")
    assert client.get(f"{answer.split('?')[0]}?token={forged}").status_code == 400
    assert message["amount"] == "1.00" and message["currency"] == "MAD"


def test_amounts_are_exact_decimals():
    assert parse_amount("2.00") == Decimal("2.00") and parse_amount(Decimal("1.5")) == Decimal("1.50")
    assert parse_amount(" 99999999.99 ") == Decimal("99999999.99") and parse_amount(2) == Decimal("2.00")
    for wrong in (2.0, "2.001", "-1", "NaN", "Infinity", "two", True, None):
        with pytest.raises(ValueError):
            parse_amount(wrong)


# What Decimal reads but no provider writes: over what an amount holds (8 digits before the point), signed,
# exponents, underscores, other digits than ASCII.
UNWRITTEN_AMOUNTS = ["1e30", "9" * 27, "1e999999999", "100000000", "2_0", "٢.٠٠", "+2.00", "-0", "2.", ".5", "0x10"]


@pytest.mark.parametrize("written", UNWRITTEN_AMOUNTS)
def test_only_plain_ascii_amounts_are_read(written):
    with pytest.raises(ValueError, match="Not an amount"):
        parse_amount(written)


@pytest.mark.parametrize("written", ["ＭＡＤ", "ÀBC", "MA", "MADD", "M4D", ""])
def test_only_three_ascii_letters_are_a_currency(written):
    with pytest.raises(ValueError, match="Not a currency"):
        parse_currency(written)


def test_a_currency_is_read_in_capitals():
    assert parse_currency(" mad ") == "MAD"


@pytest.mark.parametrize(
    ("amount", "currency"), [*[(amount, "MAD") for amount in UNWRITTEN_AMOUNTS], ("2.00", "ＭＡＤ")]
)
def test_an_answer_with_an_unwritten_sum_or_currency_is_refused(client, payer, heard, amount, currency):
    payment = new_payment(payer)
    message = {"reference": payment.reference, "paid": True, "provider_reference": "SIM-1"}
    assert client.get(answer_url({**message, "amount": amount, "currency": currency})).status_code == 400
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and payment.received_amount is None and heard == []
