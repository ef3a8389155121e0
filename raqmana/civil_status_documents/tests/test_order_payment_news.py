"""What the citizen reads of an order's payment: received and the document on its way once paid, whatever the order
waits for behind; being confirmed with the bank while the payment is pending past the threshold, with a button that
asks the bank now. Never a stuck order."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.services import place_order
from raqmana.kernel.tests import samples
from raqmana.payments import services as payment_services
from raqmana.payments.constants import PaymentState
from raqmana.payments.models import Payment
from raqmana.payments.providers import ProviderError, SimulatedProvider
from raqmana.payments.tests.conftest import gateway_outcome

pytestmark = pytest.mark.django_db

RECEIVED = "Payment received, document on its way."
CONFIRMING = "Payment being confirmed with the bank."


@pytest.fixture
def citizen(client):
    user = UserFactory(full_name="Youssef El Alaoui", preferred_language="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def new_order(citizen, act, kind=CivilStatusDocument.BIRTH_EXTRACT):
    proof = None
    if kind != CivilStatusDocument.BIRTH_EXTRACT:
        proof = SimpleUploadedFile("proof.pdf", samples.pdf(), content_type="application/pdf")
    return place_order(citizen, act, kind, relation="holder", mandate_reference="", purpose="Passport", proof=proof)


def pending_for(order, minutes):
    Payment.objects.filter(pk=order.payment_id).update(created_at=timezone.now() - timedelta(minutes=minutes))


def page(client, order):
    return client.get(reverse("documents:order", args=[order.pk])).text


def test_a_paid_full_copy_reads_received_while_the_office_checks(client, citizen, birth_act):
    order = new_order(citizen, birth_act, CivilStatusDocument.BIRTH_FULL_COPY)
    payment_services.settle(gateway_outcome(order.payment))
    text = page(client, order)
    assert RECEIVED in text and "checks your proof" in text and "Pay</button>" not in text
    assert RECEIVED in client.get(reverse("documents:orders")).text


def test_an_extract_whose_automatic_issue_failed_reads_received_and_passed_to_an_agent(
    client, citizen, birth_act, monkeypatch
):
    def typst_down(*args, **kwargs):
        raise RuntimeError("typst is not installed")

    monkeypatch.setattr("raqmana.documents.services.issue_document", typst_down)
    order = new_order(citizen, birth_act)
    payment_services.settle(gateway_outcome(order.payment))
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_CHECK
    text = page(client, order)
    assert RECEIVED in text and "An agent of the office that keeps the act issues it" in text
    assert "checks your proof" not in text and "typst" not in text


def test_a_payment_pending_past_the_threshold_reads_being_confirmed_and_is_checked_now(
    client, citizen, birth_act, django_capture_on_commit_callbacks
):
    order = new_order(citizen, birth_act)
    assert CONFIRMING not in page(client, order)  # just placed: the payer is on the bank's page
    pending_for(order, 11)
    text = page(client, order)
    check_now = reverse("documents:order_check_payment", args=[order.pk])
    assert CONFIRMING in text and check_now in text and "Check now" in text
    assert CONFIRMING in client.get(reverse("documents:orders")).text

    asked = client.post(check_now, follow=True)
    assert "has not confirmed a payment yet" in asked.text
    SimulatedProvider().answer(order.payment, True)  # the bank took it; its answer was lost
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(check_now)
    assert asked.url == reverse("documents:order", args=[order.pk])
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and order.payment.state == PaymentState.PAID
    client.post(check_now)  # asked again: nothing more
    assert order.payment.transitions.filter(to_state=PaymentState.PAID).count() == 1
    assert CONFIRMING not in page(client, order)


def test_the_bank_out_of_reach_is_said_plainly(client, citizen, birth_act, monkeypatch):
    order = new_order(citizen, birth_act)
    pending_for(order, 11)

    def gateway_down(provider, payment):
        raise ProviderError("Connection refused by gw.example:443")

    monkeypatch.setattr(SimulatedProvider, "status", gateway_down)
    asked = client.post(reverse("documents:order_check_payment", args=[order.pk]), follow=True)
    assert "The bank could not be reached" in asked.text and "gw.example" not in asked.text


def test_checking_now_is_limited_and_only_for_ones_own_order(client, citizen, birth_act):
    order = new_order(citizen, birth_act)
    check_now = reverse("documents:order_check_payment", args=[order.pk])
    assert client.get(check_now).status_code == 405
    assert {client.post(check_now).status_code for _ in range(10)} == {302}
    assert client.post(check_now).status_code == 429
    client.force_login(UserFactory())
    assert client.post(check_now).status_code == 404


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_the_payment_news_read_in_the_citizens_language(client, citizen, birth_act, language):
    received = new_order(citizen, birth_act, CivilStatusDocument.BIRTH_FULL_COPY)
    payment_services.settle(gateway_outcome(received.payment))
    confirming = new_order(citizen, birth_act)
    pending_for(confirming, 30)
    client.cookies["django_language"] = language
    with translation.override(language):
        said_received, said_confirming, check_now = gettext(RECEIVED), gettext(CONFIRMING), gettext("Check now")
    received_page, confirming_page = page(client, received), page(client, confirming)
    assert said_received in received_page and said_confirming in confirming_page and check_now in confirming_page
    assert f'lang="{language}"' in received_page
    assert ('dir="rtl"' in received_page) == (language == "ar")
    listing = client.get(reverse("documents:orders")).text
    assert said_received in listing and said_confirming in listing
