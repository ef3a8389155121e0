"""Payments that reconcile by themselves: the provider says where a payment stands (`status`), and the periodic job
settles what it took, fails what it declined and cancels what is still unpaid past the expiry, with no answer from
the gateway; the gateway's own late answer still counts once. Refunds whose task was lost are asked again."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.tasks.backends.immediate import ImmediateBackend
from django.urls import reverse
from django.utils import timezone, translation

from raqmana.audit.models import AuditEvent
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.services import cancel_order, place_order
from raqmana.documents.models import IssuedDocument
from raqmana.kernel.periodic import periodic_jobs
from raqmana.payments import callbacks, services
from raqmana.payments.confirmations import confirm_payment, settle_pending_payments
from raqmana.payments.constants import PaymentState, RefundState, Verdict
from raqmana.payments.models import Payment, SimulatedGatewayEntry
from raqmana.payments.providers import ProviderError, SimulatedProvider
from raqmana.payments.tasks import resume_refunds
from raqmana.payments.tasks import settle_pending_payments as settle_task
from raqmana.payments.tests.conftest import new_payment, paid_payment
from raqmana.workflows.services import run_due_clocks

pytestmark = pytest.mark.django_db


def later(minutes=11):
    """A moment past the confirmation threshold (10 minutes by default)."""
    return timezone.now() + timedelta(minutes=minutes)


def new_order(citizen, act):
    return place_order(
        citizen, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Passport"
    )


def documents_of(order):
    return IssuedDocument.objects.filter(subject_id=str(order.act.pk), requester=order.citizen).count()


@pytest.fixture
def gateway():
    return SimulatedProvider()


@pytest.fixture
def settle_breaks(monkeypatch):
    """The app's callback fails once the money is taken (the connection cut in the middle of the issue); returns
    its working callbacks, to put back."""

    def cut(payment):
        raise OperationalError("terminating connection due to administrator command")

    working = callbacks.callbacks_for("civil_status_documents.documentorder")
    monkeypatch.setitem(callbacks._registry, "civil_status_documents.documentorder", callbacks.PaymentCallbacks(cut))
    return working


def test_the_simulated_gateway_answers_the_state_of_each_payment_from_its_books(payer, heard, gateway):
    unknown, paid, short, declined, abandoned, paid_after_decline = (new_payment(payer) for _ in range(6))
    gateway.answer(paid, True)
    gateway.answer(short, True, amount=Decimal("1.00"))
    gateway.answer(declined, False)
    gateway.abandon(abandoned)
    gateway.answer(paid_after_decline, False)
    gateway.answer(paid_after_decline, True)

    assert gateway.status(unknown).verdict == Verdict.UNKNOWN and gateway.status(unknown).outcome is None
    assert gateway.status(abandoned).verdict == Verdict.ABANDONED and gateway.status(abandoned).outcome is None
    status = gateway.status(paid)
    taken = SimulatedGatewayEntry.objects.get(reference=paid.reference)
    assert status.verdict == Verdict.PAID
    assert status.outcome.paid and status.outcome.reference == paid.reference
    assert (status.outcome.amount, status.outcome.currency) == (Decimal("2.00"), "MAD")
    assert status.outcome.provider_reference == taken.provider_reference
    assert gateway.status(short).outcome.amount == Decimal("1.00")
    assert gateway.status(declined).verdict == Verdict.DECLINED and not gateway.status(declined).outcome.paid
    assert gateway.status(paid_after_decline).verdict == Verdict.PAID


def test_the_gateway_takes_money_once_for_a_reference(payer, heard, gateway):
    payment = new_payment(payer)
    first, again = gateway.answer(payment, True), gateway.answer(payment, True)
    assert SimulatedGatewayEntry.objects.filter(reference=payment.reference).count() == 1
    assert first.split("token=")[1].split(":")[0] == again.split("token=")[1].split(":")[0]


def test_the_job_settles_a_payment_whose_answer_never_arrived_and_the_order_is_issued_once(
    client, payer, birth_act, gateway, django_capture_on_commit_callbacks
):
    order = new_order(payer, birth_act)
    answer = gateway.answer(order.payment, True)  # the gateway took the money; its answer never arrived
    assert settle_pending_payments().asked == 0  # not yet past the threshold
    with django_capture_on_commit_callbacks(execute=True):
        sweep = settle_pending_payments(now=later())
    assert (sweep.asked, sweep.settled, sweep.errors) == (1, 1, 0)
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and order.payment.state == PaymentState.PAID
    assert order.payment.provider_reference == SimulatedGatewayEntry.objects.get().provider_reference
    assert settle_pending_payments(now=later()).asked == 0

    client.force_login(payer)
    client.get(answer)  # the gateway's own answer, late: it counts once
    order.payment.refresh_from_db()
    assert order.payment.transitions.filter(to_state=PaymentState.PAID).count() == 1
    assert documents_of(order) == 1 and AuditEvent.objects.filter(action="payment.paid").count() == 1


def test_settle_failing_after_the_money_was_taken_is_recovered_by_the_job(
    client, payer, birth_act, gateway, settle_breaks, monkeypatch, django_capture_on_commit_callbacks
):
    order = new_order(payer, birth_act)
    answer = gateway.answer(order.payment, True)
    working = settle_breaks
    client.force_login(payer)
    client.cookies["django_language"] = "en"
    back = client.get(answer, follow=True)  # the payer is told, not shown an error
    assert back.status_code == 200 and "being confirmed with the bank" in back.text
    order.payment.refresh_from_db()
    assert order.payment.state == PaymentState.PENDING

    monkeypatch.setitem(callbacks._registry, "civil_status_documents.documentorder", working)  # the database is back
    with django_capture_on_commit_callbacks(execute=True):
        assert settle_pending_payments(now=later()).settled == 1
    client.get(answer)  # the gateway repeats its answer after the job: once
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and documents_of(order) == 1
    assert order.payment.transitions.filter(to_state=PaymentState.PAID).count() == 1


def test_a_payment_the_gateway_declined_fails(payer, heard, gateway):
    payment = new_payment(payer)
    gateway.answer(payment, False)  # its answer never arrived
    sweep = settle_pending_payments(now=later())
    payment.refresh_from_db()
    assert sweep.declined == 1 and payment.state == PaymentState.FAILED and heard == []
    assert AuditEvent.objects.filter(action="payment.failed", target_id=str(payment.pk)).exists()


def test_a_payment_abandoned_on_the_gateways_page_is_cancelled_past_its_expiry(payer, heard, gateway, settings):
    payment = new_payment(payer)
    gateway.abandon(payment)
    expiry = timedelta(days=settings.RAQMANA_PAYMENT_EXPIRY_DAYS)
    assert settle_pending_payments(now=later()).unchanged == 1
    assert settle_pending_payments(now=payment.created_at + expiry - timedelta(minutes=1)).unchanged == 1
    with translation.override("en"):  # the reason is written in the language active when the job runs
        sweep = settle_pending_payments(now=payment.created_at + expiry + timedelta(minutes=1))
    payment.refresh_from_db()
    assert sweep.cancelled == 1 and payment.state == PaymentState.CANCELLED
    cancelled = payment.transitions.get(to_state=PaymentState.CANCELLED)
    assert cancelled.by is None and "Left on the provider's page without paying" in cancelled.reason
    assert AuditEvent.objects.get(action="payment.expired").reason == cancelled.reason


def test_a_payment_unknown_to_the_gateway_past_its_expiry_is_cancelled_and_money_after_it_given_back(
    payer, birth_act, gateway, settings, django_capture_on_commit_callbacks
):
    order = new_order(payer, birth_act)
    past_expiry = order.payment.created_at + timedelta(days=settings.RAQMANA_PAYMENT_EXPIRY_DAYS, minutes=1)
    assert settle_pending_payments(now=past_expiry).cancelled == 1
    assert run_due_clocks(now=past_expiry) == 1  # the order's payment clock, as long, expires the order
    gateway.answer(order.payment, True)  # the money comes after all
    with django_capture_on_commit_callbacks(execute=True):
        sweep = settle_pending_payments(now=later())  # its cancel is its last step: asked about for days after
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED and documents_of(order) == 0
    assert sweep.settled == 1 and order.payment.state == PaymentState.REFUNDED
    assert order.payment.refund.state == RefundState.CONFIRMED


def test_money_taken_after_the_order_was_cancelled_is_found_and_given_back(
    payer, birth_act, gateway, django_capture_on_commit_callbacks
):
    order = new_order(payer, birth_act)
    cancel_order(order, by=payer)
    gateway.answer(order.payment, True)  # the gateway took it anyway; its answer was lost
    with django_capture_on_commit_callbacks(execute=True):
        assert settle_pending_payments(now=later(1)).settled == 1  # a cancelled payment is asked about at once
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and order.payment.state == PaymentState.REFUNDED
    assert documents_of(order) == 0


def test_a_provider_error_is_logged_and_the_payment_asked_again_next_run(
    payer, heard, gateway, monkeypatch, caplog, settings
):
    down, up = new_payment(payer), new_payment(payer)
    gateway.answer(down, True)
    gateway.answer(up, True)
    answers = SimulatedProvider.status

    def status(provider, payment):
        if payment.pk == down.pk:
            raise ProviderError("Gateway timeout")
        return answers(provider, payment)

    with monkeypatch.context() as gateway_down:
        gateway_down.setattr(SimulatedProvider, "status", status)
        sweep = settle_pending_payments(now=later())
        assert (sweep.asked, sweep.settled, sweep.errors) == (2, 1, 1)
        assert down.reference in caplog.text and "Gateway timeout" in caplog.text
        settings.RAQMANA_PAYMENT_CONFIRMATION_MINUTES = 0
        with pytest.raises(CommandError, match="errors 1"):
            call_command("settle_pending_payments")
    sweep = settle_pending_payments(now=later())
    down.refresh_from_db()
    assert (sweep.settled, sweep.errors) == (1, 0) and down.state == PaymentState.PAID
    assert [payment.pk for payment in heard] == [up.pk, down.pk]


def test_the_command_and_the_periodic_task_run_the_sweep(payer, heard, gateway, settings):
    settings.RAQMANA_PAYMENT_CONFIRMATION_MINUTES = 0
    gateway.answer(new_payment(payer), True)
    out = StringIO()
    call_command("settle_pending_payments", stdout=out)
    assert out.getvalue().strip() == "asked 1, settled 1, declined 0, cancelled 0, unchanged 0, errors 0"
    gateway.answer(new_payment(payer), False)
    assert settle_task.call() == {
        "asked": 1, "settled": 0, "declined": 1, "cancelled": 0, "unchanged": 0, "errors": 0
    }  # fmt: skip
    jobs = {job.name: job.interval for job in periodic_jobs()}
    assert jobs["raqmana.payments.tasks.settle_pending_payments"] == timedelta(minutes=5)
    assert jobs["raqmana.payments.tasks.resume_refunds"] == timedelta(minutes=5)


def test_checking_one_payment_is_idempotent(payer, heard, gateway):
    payment = new_payment(payer)
    assert confirm_payment(payment).state == PaymentState.PENDING
    gateway.answer(payment, True)
    assert confirm_payment(payment).state == PaymentState.PAID
    assert confirm_payment(payment).state == PaymentState.PAID
    assert payment.transitions.filter(to_state=PaymentState.PAID).count() == 1 and len(heard) == 1


def test_a_settled_payment_is_not_asked_about(payer, heard, monkeypatch):
    paid_payment(payer)
    monkeypatch.setattr(SimulatedProvider, "status", lambda provider, payment: pytest.fail("asked"))
    assert settle_pending_payments(now=later()).asked == 0


def test_a_refund_whose_task_was_lost_is_asked_again_by_the_sweep(payer, heard, monkeypatch):
    payment = paid_payment(payer)

    def broker_down(backend, task, args, kwargs):
        raise ConnectionError("broker unreachable")

    with monkeypatch.context() as broker:
        broker.setattr(ImmediateBackend, "enqueue", broker_down)
        services.refund(payment, by=None, reason="Order refused")  # committed; its task never queued
    money_back = Payment.objects.get(pk=payment.pk).refund
    assert money_back.state == RefundState.REQUESTED and not money_back.attempts.exists()
    assert services.resume_refunds() == 0  # its task may still be on its way
    assert resume_refunds.call() == 0
    assert services.resume_refunds(now=later()) == 1
    money_back.refresh_from_db()
    assert money_back.state == RefundState.CONFIRMED
    assert SimulatedGatewayEntry.objects.filter(reference=payment.reference, state="refunded").count() == 1
    assert services.resume_refunds(now=later(60)) == 0


def test_the_sweep_waits_for_a_failed_refunds_next_attempt(payer, heard, monkeypatch):
    payment = paid_payment(payer)

    def gateway_down(*args, **kwargs):
        raise ProviderError("Gateway timeout")

    with monkeypatch.context() as down:
        down.setattr(SimulatedProvider, "refund", gateway_down)
        down.setattr(ImmediateBackend, "enqueue", lambda *args: None)  # the retry is queued, not run here
        services.refund(payment, by=None, reason="Order refused")
        money_back = Payment.objects.get(pk=payment.pk).refund
        services.ask_provider_for_refund(money_back.pk)
    assert money_back.attempts.count() == 1
    assert services.resume_refunds(now=later(1 + 9)) == 0  # the retry after 1 minute, plus the margin of 10
    assert services.resume_refunds(now=later(1 + 11)) == 1
    money_back.refresh_from_db()
    assert money_back.state == RefundState.CONFIRMED


def test_a_genuine_answer_for_a_payment_unknown_here_is_still_refused_plainly(client, payer, heard, gateway):
    payment = new_payment(payer)
    answer = gateway.answer(payment, True)
    Payment.objects.filter(pk=payment.pk).update(reference="RQP-ELSEWHERE")
    back = client.get(answer)
    assert back.status_code == 302 and back.url == reverse("portal:home")
