"""A refund is asked of the provider by a task, once the decision is committed, with a key that makes the
provider refund once however often it is asked; each attempt is recorded, and so is the refund's state."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from raqmana.accounts.models import User
from raqmana.accounts.tests.factories import PASSWORD
from raqmana.audit.models import AuditEvent
from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import cancel_order, place_order
from raqmana.payments import services
from raqmana.payments.constants import REFUND_RETRY_MINUTES, PaymentState, RefundState, StatementState
from raqmana.payments.models import Refund, SimulatedGatewayEntry
from raqmana.payments.providers import ProviderError, SimulatedProvider
from raqmana.payments.tasks import send_refund

from .conftest import paid_payment

pytestmark = pytest.mark.django_db


def gateway_down(self, payment, **asked):
    raise ProviderError("gateway unavailable")


def refunds_at_the_gateway():
    return list(SimulatedGatewayEntry.objects.filter(state=StatementState.REFUNDED))


def test_the_provider_is_asked_only_after_the_commit(payer, heard, django_capture_on_commit_callbacks):
    payment = paid_payment(payer)
    with django_capture_on_commit_callbacks() as committed:
        services.refund(payment, by=None, reason="Order refused")
        money_back = Refund.objects.get()
        assert money_back.state == RefundState.REQUESTED and refunds_at_the_gateway() == []
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED and len(committed) == 1
    committed[0]()  # the commit happens
    money_back.refresh_from_db()
    [entry] = refunds_at_the_gateway()
    assert money_back.state == RefundState.CONFIRMED and money_back.provider_reference == entry.provider_reference
    assert (entry.amount, entry.currency, entry.idempotency_key) == (Decimal("2.00"), "MAD", money_back.idempotency_key)
    assert [step.to_state for step in money_back.transitions.all()] == ["requested", "confirmed"]
    assert AuditEvent.objects.filter(action="payment.refund_confirmed").count() == 1


def test_a_refund_rolled_back_never_reaches_the_provider(payer, heard, django_capture_on_commit_callbacks):
    payment = paid_payment(payer)
    with (
        django_capture_on_commit_callbacks(execute=True) as committed,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.refund(payment, by=None, reason="Order refused")
        raise RuntimeError("the caller's transaction fails after the decision")
    assert committed == [] and refunds_at_the_gateway() == [] and not Refund.objects.exists()
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID


def test_a_task_run_twice_refunds_once_at_the_provider(payer, heard, django_capture_on_commit_callbacks):
    payment = paid_payment(payer)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund(payment, by=None, reason="Order refused")
    money_back = Refund.objects.get()
    send_refund.enqueue(money_back.pk)  # the queue delivers the task again
    assert len(refunds_at_the_gateway()) == 1 and money_back.attempts.count() == 1


def test_a_refund_whose_answer_was_lost_is_not_made_twice(payer, heard, django_capture_on_commit_callbacks):
    """The provider refunded but its answer never reached us (a timeout): asked again with the same key, it
    answers with the same refund."""
    payment = paid_payment(payer)
    with django_capture_on_commit_callbacks() as committed:
        services.refund(payment, by=None, reason="Order refused")
    money_back = Refund.objects.get()
    lost = SimulatedProvider().refund(
        payment, amount=money_back.amount, currency="MAD", idempotency_key=money_back.idempotency_key
    )
    committed[0]()
    money_back.refresh_from_db()
    assert money_back.provider_reference == lost and len(refunds_at_the_gateway()) == 1


def test_failed_attempts_are_recorded_retried_then_the_refund_is_failed(
    payer, heard, monkeypatch, django_capture_on_commit_callbacks
):
    payment = paid_payment(payer)
    monkeypatch.setattr(SimulatedProvider, "refund", gateway_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund(payment, by=None, reason="Order refused")
    money_back = Refund.objects.get()
    attempts = list(money_back.attempts.all())
    assert len(attempts) == len(REFUND_RETRY_MINUTES) + 1
    assert {attempt.error for attempt in attempts} == {"gateway unavailable"}
    assert money_back.state == RefundState.FAILED
    assert AuditEvent.objects.get(action="payment.refund_failed").details["attempts"] == len(attempts)

    monkeypatch.undo()
    admin = User.objects.create_superuser("dgct@example.ma", PASSWORD, full_name="DGCT")
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_refund_again(money_back, by=admin)
    money_back.refresh_from_db()
    assert money_back.state == RefundState.CONFIRMED and len(refunds_at_the_gateway()) == 1
    assert [(step.to_state, step.by) for step in money_back.transitions.all()] == [
        ("requested", None), ("failed", None), ("requested", admin), ("confirmed", None),
    ]  # fmt: skip


def test_a_retry_waits_where_the_backend_can_wait(payer, heard, monkeypatch, settings,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    payment = paid_payment(payer)
    monkeypatch.setattr(SimulatedProvider, "refund", gateway_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund(payment, by=None, reason="Order refused")
    money_back = Refund.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        send_refund.call(money_back.pk)  # a worker runs the queued task; the provider fails
    first, retry = send_refund.get_backend().results
    assert first.task.run_after is None and retry.args == [money_back.pk]
    assert retry.task.run_after > timezone.now() + timedelta(minutes=REFUND_RETRY_MINUTES[0]) - timedelta(seconds=30)


def test_the_sum_received_is_given_back_for_a_mismatched_payment(verified_client, payer, heard,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    payment = paid_payment(payer, amount=Decimal("1.00"))
    assert payment.state == PaymentState.MISMATCHED
    admin = verified_client(User.objects.create_superuser("dgct@example.ma", PASSWORD, full_name="DGCT"))
    listing = admin.get(reverse("admin:payments_payment_changelist"), {"state": "mismatched"})
    assert payment.reference in listing.text
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("admin:payments_payment_changelist"),
            {"action": "give_back_mismatched", "_selected_action": [payment.pk]},
        )
    payment.refresh_from_db()
    [entry] = refunds_at_the_gateway()
    assert payment.state == PaymentState.REFUNDED and payment.refund.state == RefundState.CONFIRMED
    assert entry.amount == Decimal("1.00") and payment.refund.amount == Decimal("1.00")
    assert admin.get(reverse("admin:payments_refund_change", args=[payment.refund.pk])).status_code == 200


def test_the_payer_is_told_that_money_taken_after_a_cancel_is_given_back(
    client, payer, birth_act, django_capture_on_commit_callbacks
):
    order = place_order(payer, birth_act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="",
                        purpose="Passport")  # fmt: skip
    answer = SimulatedProvider().answer(order.payment, True)  # the gateway took the money...
    cancel_order(order, by=payer)  # ...while the payer cancelled
    client.force_login(payer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        back = client.get(answer)
    [told] = get_messages(back.wsgi_request)
    assert "arrived after the request was cancelled: the 2.00\xa0MAD are given back" in strip_tags(str(told))
    payment = order.payment
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED and payment.refund.state == RefundState.CONFIRMED


def test_a_gateways_error_with_a_nul_byte_is_recorded_readable(
    payer, heard, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, payment, **asked):
        raise ProviderError("refused\x00by the bank")  # PostgreSQL stores no NUL: recorded as U+FFFD

    payment = paid_payment(payer)
    monkeypatch.setattr(SimulatedProvider, "refund", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund(payment, by=None, reason="Order refused")
    assert set(Refund.objects.get().attempts.values_list("error", flat=True)) == {"refused\ufffdby the bank"}
