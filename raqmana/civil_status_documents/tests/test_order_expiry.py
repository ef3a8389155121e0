"""An online order left unpaid expires by its clock after RAQMANA_ORDER_PAYMENT_DAYS calendar days: its payment is
cancelled, the citizen's order page says so, and money that comes for it afterwards is given back."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.services import place_order
from raqmana.kernel.references import reference_to
from raqmana.payments import services as payment_services
from raqmana.payments.constants import PaymentState
from raqmana.payments.tests.conftest import gateway_outcome
from raqmana.workflows.models import Clock, ClockState
from raqmana.workflows.services import run_due_clocks

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return UserFactory(preferred_language="en")


def new_order(citizen, act):
    return place_order(
        citizen, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Passport"
    )


def test_an_order_left_unpaid_expires_by_its_clock(client, citizen, birth_act, settings):
    settings.RAQMANA_ORDER_PAYMENT_DAYS = 3
    order = new_order(citizen, birth_act)
    placed = order.transitions.get().at
    assert run_due_clocks(now=placed + timedelta(days=3) - timedelta(minutes=1)) == 0
    assert run_due_clocks(now=placed + timedelta(days=3, seconds=1)) == 1
    assert run_due_clocks(now=placed + timedelta(days=30)) == 0
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED and order.payment.state == PaymentState.CANCELLED
    expiry = order.transitions.get(to_state=OrderState.EXPIRED)
    assert expiry.by is None and expiry.reason
    assert order.payment.transitions.get(to_state=PaymentState.CANCELLED).reason == expiry.reason

    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("documents:order", args=[order.pk])).text
    assert "Expired: not paid in time" in page and "has expired" in page and "Pay</button>" not in page


def test_an_order_paid_in_time_stops_its_clock(citizen, birth_act, settings):
    order = new_order(citizen, birth_act)
    payment_services.settle(gateway_outcome(order.payment))
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED
    clock = Clock.objects.get(**reference_to(order), workflow="civil_status_documents.order")
    assert clock.state == ClockState.STOPPED
    assert run_due_clocks(now=timezone.now() + timedelta(days=settings.RAQMANA_ORDER_PAYMENT_DAYS + 1)) == 0


def test_money_that_comes_after_the_order_expired_is_given_back(
    citizen, birth_act, settings, django_capture_on_commit_callbacks
):
    order = new_order(citizen, birth_act)
    run_due_clocks(now=timezone.now() + timedelta(days=settings.RAQMANA_ORDER_PAYMENT_DAYS, seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_services.settle(gateway_outcome(order.payment))  # the payer's page was still open
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED and order.document is None
    assert payment.state == PaymentState.REFUNDED
