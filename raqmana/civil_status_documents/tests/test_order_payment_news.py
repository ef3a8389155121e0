"""What the citizen reads of an order's payment: received and the document on its way once paid, whatever the order
waits for behind; being confirmed with the bank while the payment is pending past the threshold, with a button that
asks the bank now; a sum other than owed, under review, with the sum received and no Pay; the money given back; a
payment expired by the confirmation job, the order to expire too. Never a stuck order, never a Pay that leads to a
gateway page that refuses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.services import place_order, refuse_order
from raqmana.kernel.numbers import isolated_money
from raqmana.kernel.tests import samples
from raqmana.payments import services as payment_services
from raqmana.payments.confirmations import confirm_payment
from raqmana.payments.constants import PaymentState
from raqmana.payments.models import Payment
from raqmana.payments.providers import ProviderError, SimulatedProvider
from raqmana.payments.tests.conftest import gateway_outcome
from raqmana.workflows.services import run_due_clocks

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


# --- A payment that cannot be paid again: a sum other than owed, given back, or expired by the confirmation job ---

MISMATCHED = "A different sum was received: under review."
MISMATCHED_PAGE = (
    "The bank took %(received)s where %(amount)s are owed, so no document is issued for it. The "
    "office reviews the payment and gives the sum received back to you: you need not pay again."
)
MISMATCHED_LISTED = "%(received)s received for %(amount)s owed: given back after review; you need not pay again."
REFUNDED = "The %(received)s received are given back to you."
NOT_ISSUED = "No document is issued for this order: order again if you still need it."
EXPIRED = "The payment has expired."
EXPIRED_PAGE = "It was not made in time: this order expires too. Order again if you still need the document."


def mismatched(order, **taken):
    payment = payment_services.settle(gateway_outcome(order.payment, **taken))
    assert payment.state == PaymentState.MISMATCHED
    return payment


def expired_by_the_job(order, settings):
    SimulatedProvider().abandon(order.payment)
    later = timezone.now() + timedelta(days=settings.RAQMANA_PAYMENT_EXPIRY_DAYS, minutes=1)
    assert confirm_payment(order.payment, now=later).state == PaymentState.CANCELLED


def sums(payment, language):
    """The sums as the page writes them, in `language`'s way of writing money."""
    with translation.override(language):
        return {
            "received": isolated_money(payment.received_amount, payment.received_currency),
            "amount": isolated_money(payment.amount),
        }


def visible(html):
    """A page's text as read, tags left out and no-break spaces read as spaces."""
    return strip_tags(html).replace("\xa0", " ")


def pay_and_check_now(client, order):
    pay = client.post(reverse("documents:order_pay", args=[order.pk]))
    check_now = client.post(reverse("documents:order_check_payment", args=[order.pk]))
    return pay.url, check_now.url


def test_a_sum_other_than_owed_is_told_with_the_sum_received_and_not_asked_again(client, citizen, birth_act):
    order = new_order(citizen, birth_act)
    payment = mismatched(order, amount=Decimal("0.50"))
    text = page(client, order)
    assert MISMATCHED in text and MISMATCHED_PAGE % sums(payment, "en") in text
    assert "0.50 MAD where 2.00 MAD are owed" in visible(text)
    assert "To pay:" not in text and "Pay</button>" not in text and "Check now" not in text
    assert "Cancel the order" in text  # the citizen may still withdraw it: the sum is given back all the same
    listing = client.get(reverse("documents:orders")).text
    assert MISMATCHED in listing and "0.50 MAD received for 2.00 MAD owed" in visible(listing)

    # A page left open before the payment: Pay and Check now lead back to the order, not to a gateway that refuses.
    assert pay_and_check_now(client, order) == (reverse("documents:order", args=[order.pk]),) * 2
    payment.refresh_from_db()
    assert payment.state == PaymentState.MISMATCHED


def test_a_sum_in_another_currency_is_told_in_that_currency(client, citizen, birth_act):
    order = new_order(citizen, birth_act)
    mismatched(order, currency="EUR")
    assert "The bank took 2.00 EUR where 2.00 MAD are owed" in visible(page(client, order))


def test_a_mismatched_payment_given_back_says_so_and_the_order_is_not_issued(client, citizen, birth_act):
    order = new_order(citizen, birth_act)
    payment = mismatched(order, amount=Decimal("3.00"))
    payment_services.refund(payment, by=UserFactory(is_superuser=True), reason="Sum other than owed.")
    text = page(client, order)
    assert REFUNDED % sums(payment, "en") in text and "The 3.00 MAD received are given back to you." in visible(text)
    assert NOT_ISSUED in text and MISMATCHED not in text and "Pay</button>" not in text
    assert "The 3.00 MAD received are given back to you." in visible(client.get(reverse("documents:orders")).text)
    assert pay_and_check_now(client, order)[0] == reverse("documents:order", args=[order.pk])


def test_money_that_came_after_the_order_was_cancelled_is_told_given_back(client, citizen, birth_act):
    order = new_order(citizen, birth_act)
    payment = order.payment
    SimulatedProvider().abandon(payment)  # on the bank's page when the order is cancelled, then pays
    client.post(reverse("documents:order_cancel", args=[order.pk]))
    payment_services.settle(gateway_outcome(payment))
    text = page(client, order)
    assert "The 2.00 MAD received are given back to you." in visible(text) and NOT_ISSUED not in text


def test_a_refused_order_says_its_refund_once(client, citizen, birth_act, agent):
    order = new_order(citizen, birth_act, CivilStatusDocument.BIRTH_FULL_COPY)
    payment_services.settle(gateway_outcome(order.payment))
    refuse_order(order, by=agent, reason="Proof unreadable.")
    text = page(client, order)
    assert "The payment is refunded." in text and "are given back to you" not in text


def test_a_payment_expired_by_the_job_says_the_order_expires_too_without_pay(client, citizen, birth_act, settings):
    order = new_order(citizen, birth_act)
    expired_by_the_job(order, settings)
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_PAYMENT  # its own clock has not run yet
    text = page(client, order)
    assert EXPIRED in text and EXPIRED_PAGE in text
    assert "To pay:" not in text and "Pay</button>" not in text and "Check now" not in text
    assert EXPIRED in client.get(reverse("documents:orders")).text
    assert pay_and_check_now(client, order) == (reverse("documents:order", args=[order.pk]),) * 2


def test_a_declined_payment_still_offers_pay(client, citizen, birth_act):
    order = new_order(citizen, birth_act)
    payment_services.settle(gateway_outcome(order.payment, paid=False))
    text = page(client, order)
    assert "To pay: 2.00 MAD" in visible(text) and "Pay</button>" in text and EXPIRED not in text
    assert pay_and_check_now(client, order)[0] == payment_services.checkout_url(order.payment)


def test_a_mismatched_payment_on_an_order_expired_meanwhile_is_still_told(client, citizen, birth_act, settings):
    order = new_order(citizen, birth_act)
    mismatched(order, amount=Decimal("0.50"))
    placed = order.transitions.get().at
    assert run_due_clocks(now=placed + timedelta(days=settings.RAQMANA_ORDER_PAYMENT_DAYS, seconds=1)) == 1
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED and order.payment.state == PaymentState.MISMATCHED
    text = page(client, order)
    assert MISMATCHED in text and "0.50 MAD where 2.00 MAD are owed" in visible(text)


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_a_payment_not_to_pay_again_read_in_the_citizens_language(client, citizen, birth_act, settings, language):
    under_review = new_order(citizen, birth_act)
    review_payment = mismatched(under_review, amount=Decimal("0.50"))
    given_back = new_order(citizen, birth_act)
    refunded_payment = mismatched(given_back, amount=Decimal("4.00"))
    payment_services.refund(refunded_payment, by=None, reason="Sum other than owed.")
    refunded_payment.refresh_from_db()
    expired = new_order(citizen, birth_act)
    expired_by_the_job(expired, settings)
    client.cookies["django_language"] = language
    with translation.override(language):
        said = {msgid: gettext(msgid) for msgid in (MISMATCHED, NOT_ISSUED, EXPIRED, EXPIRED_PAGE, "Pay")}
        said_review_page = gettext(MISMATCHED_PAGE) % sums(review_payment, language)
        said_review_listed = gettext(MISMATCHED_LISTED) % sums(review_payment, language)
        said_refunded = gettext(REFUNDED) % sums(refunded_payment, language)
    review_page, refunded_page, expired_page = (
        page(client, under_review),
        page(client, given_back),
        page(client, expired),
    )
    assert said[MISMATCHED] in review_page and said_review_page in review_page
    assert said_refunded in refunded_page and said[NOT_ISSUED] in refunded_page
    assert said[EXPIRED] in expired_page and said[EXPIRED_PAGE] in expired_page
    for text in (review_page, refunded_page, expired_page):
        assert f">{said['Pay']}</button>" not in text
        assert f'lang="{language}"' in text and ('dir="rtl"' in text) == (language == "ar")
    listing = client.get(reverse("documents:orders")).text
    assert said[MISMATCHED] in listing and said_review_listed in listing
    assert said_refunded in listing and said[EXPIRED] in listing


def test_the_kept_list_of_orders_reads_a_payment_received_at_once(client, citizen, birth_act, committed):
    """The first page of a citizen's orders is kept between their requests: a payment's confirmation, saved by the
    gateway's call and not by the citizen, shows at their next request."""
    order = new_order(citizen, birth_act, CivilStatusDocument.BIRTH_FULL_COPY)
    committed()
    assert RECEIVED not in client.get(reverse("documents:orders")).text
    assert RECEIVED not in client.get(reverse("documents:orders")).text  # from what was kept
    payment_services.settle(gateway_outcome(order.payment))
    committed()
    assert RECEIVED in client.get(reverse("documents:orders")).text
