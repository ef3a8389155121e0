"""Law 09-08: the proof of an order that ended without a document is deleted after the retention period, with an
audit event for each deletion; the order keeps the date and its pages say so. Proofs that grounded an issued
document, and those of orders still open, are kept. An order not paid that loses its proof (past the retention, or
found infected) is cancelled with its payment, and money that comes for it later is given back; the proof of an
order whose money is held for review (another sum than owed) stays until the review ends."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder, OrderTransition
from raqmana.civil_status_documents.proofs import delete_expired_proofs, scan_pending_proof
from raqmana.civil_status_documents.services import place_order
from raqmana.civil_status_documents.tasks import delete_expired_proofs as delete_expired_proofs_task
from raqmana.kernel.scanning import ScanResult, ScanState
from raqmana.kernel.tests import samples
from raqmana.notifications.models import Notification
from raqmana.payments import services as payment_services
from raqmana.payments.constants import PaymentState, RefundState
from raqmana.payments.tests.conftest import gateway_outcome

pytestmark = pytest.mark.django_db
RETENTION_DAYS = 90


@pytest.fixture(autouse=True)
def retention(settings):
    settings.RAQMANA_PROOF_RETENTION_DAYS = RETENTION_DAYS


def order_with_proof(citizen, act, state, *, placed_days_ago, changed_days_ago=None):
    """An order placed `placed_days_ago`, moved to `state` `changed_days_ago` (when it moved at all)."""
    order = place_order(
        citizen, act, CivilStatusDocument.BIRTH_FULL_COPY, relation="holder", mandate_reference="", purpose="Visa",
        proof=SimpleUploadedFile("id.png", samples.png()),
    )  # fmt: skip
    now = timezone.now()
    order.transitions.update(at=now - timedelta(days=placed_days_ago))
    if state != OrderState.AWAITING_PAYMENT:
        moved = OrderTransition.objects.create(order=order, from_state=OrderState.AWAITING_PAYMENT, to_state=state)
        OrderTransition.objects.filter(pk=moved.pk).update(at=now - timedelta(days=changed_days_ago))
        DocumentOrder.objects.filter(pk=order.pk).update(state=state)
    order.refresh_from_db()
    return order


@pytest.fixture
def citizen():
    return UserFactory(preferred_language="en")


@pytest.fixture
def orders(citizen, birth_act):
    old, recent = RETENTION_DAYS + 1, RETENTION_DAYS - 1
    return {
        "unpaid, placed long ago": order_with_proof(
            citizen, birth_act, OrderState.AWAITING_PAYMENT, placed_days_ago=old
        ),
        "refused long ago": order_with_proof(
            citizen, birth_act, OrderState.REFUSED, placed_days_ago=old + 30, changed_days_ago=old
        ),
        "cancelled long ago": order_with_proof(
            citizen, birth_act, OrderState.CANCELLED, placed_days_ago=old, changed_days_ago=old
        ),
        "unpaid, placed lately": order_with_proof(
            citizen, birth_act, OrderState.AWAITING_PAYMENT, placed_days_ago=recent
        ),
        "placed long ago, refused lately": order_with_proof(
            citizen, birth_act, OrderState.REFUSED, placed_days_ago=old + 30, changed_days_ago=recent
        ),
        "issued long ago": order_with_proof(
            citizen, birth_act, OrderState.ISSUED, placed_days_ago=old + 30, changed_days_ago=old + 29
        ),
        "waiting for its check for long": order_with_proof(
            citizen, birth_act, OrderState.AWAITING_CHECK, placed_days_ago=old + 30, changed_days_ago=old + 29
        ),
    }


def stored(order):
    return bool(order.proof) and order.proof.storage.exists(order.proof.name)


def test_only_the_proofs_of_orders_ended_without_a_document_go_after_the_retention(orders):
    files = {label: order.proof.name for label, order in orders.items()}
    assert all(stored(order) for order in orders.values())

    assert delete_expired_proofs() == 3
    deleted = {"unpaid, placed long ago", "refused long ago", "cancelled long ago"}
    for label, order in orders.items():
        order.refresh_from_db()
        if label in deleted:
            assert not order.proof and order.proof_deleted_on == timezone.localdate(), label
            assert not order.proof.storage.exists(files[label]), label
        else:
            assert stored(order) and order.proof_deleted_on is None, label
    events = AuditEvent.objects.filter(action="document_order.proof_deleted")
    assert sorted(int(event.target_id) for event in events) == sorted(orders[label].pk for label in deleted)
    assert {event.details["file"] for event in events} == {files[label] for label in deleted}
    assert all(event.actor is None and event.details["retention_days"] == RETENTION_DAYS for event in events)
    assert delete_expired_proofs() == 0  # once only


def test_the_retention_is_a_setting(orders, settings):
    settings.RAQMANA_PROOF_RETENTION_DAYS = RETENTION_DAYS + 2
    assert delete_expired_proofs() == 0
    settings.RAQMANA_PROOF_RETENTION_DAYS = RETENTION_DAYS - 2
    assert delete_expired_proofs() == 5  # the refusal and the order placed 89 days ago count now too


def test_the_command_and_the_periodic_task_delete_them(orders, capsys):
    call_command("delete_expired_proofs")
    assert "3 proofs deleted (retention: 90 days)." in capsys.readouterr().out
    orders["unpaid, placed lately"].transitions.update(at=timezone.now() - timedelta(days=RETENTION_DAYS + 1))
    assert delete_expired_proofs_task.enqueue().return_value == 1


def test_the_citizen_sees_when_the_proof_was_deleted(client, citizen, orders):
    delete_expired_proofs()
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    today = timezone.localdate().strftime("%d/%m/%Y")
    order = orders["refused long ago"]
    page = client.get(reverse("documents:order", args=[order.pk])).text
    assert f'Your proof was deleted on <bdi dir="ltr">{today}</bdi>' in page and "Law 09-08" in page
    assert f'Proof deleted on <bdi dir="ltr">{today}</bdi>' in client.get(reverse("documents:orders")).text
    kept = orders["waiting for its check for long"]
    assert "Your proof was deleted" not in client.get(reverse("documents:order", args=[kept.pk])).text


def deleted_in_english():
    with translation.override("en"):  # the language of the reasons recorded
        return delete_expired_proofs()


def last_step(log):
    step = log.last()
    return step.from_state, step.to_state, step.by, step.reason


def test_an_unpaid_order_losing_its_proof_is_cancelled_with_its_payment_and_the_citizen_told(citizen, orders):
    unpaid = orders["unpaid, placed long ago"]
    assert deleted_in_english() == 3
    unpaid.refresh_from_db()
    reason = "Proof deleted after 90 days (Law 09-08)."
    assert unpaid.state == OrderState.CANCELLED and not unpaid.proof
    assert last_step(unpaid.transitions) == (OrderState.AWAITING_PAYMENT, OrderState.CANCELLED, None, reason)
    assert unpaid.payment.state == PaymentState.CANCELLED
    assert last_step(unpaid.payment.transitions) == (PaymentState.PENDING, PaymentState.CANCELLED, None, reason)
    [told] = Notification.objects.filter(user=citizen)
    assert "is cancelled" in told.subject and "not paid within 90 days" in told.body and "Law 09-08" in told.body
    for label in ("refused long ago", "cancelled long ago", "unpaid, placed lately"):  # already ended, or kept
        order = orders[label]
        assert DocumentOrder.objects.get(pk=order.pk).state == order.state, label


def test_money_that_comes_after_the_proof_was_deleted_is_given_back(orders, django_capture_on_commit_callbacks):
    unpaid = orders["unpaid, placed long ago"]
    delete_expired_proofs()
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_services.settle(gateway_outcome(unpaid.payment))  # the payer's page was still open
    unpaid.refresh_from_db()
    assert unpaid.state == OrderState.CANCELLED and not unpaid.transitions.filter(to_state="awaiting_check").exists()
    assert payment.state == PaymentState.REFUNDED and payment.refund.state == RefundState.CONFIRMED
    assert payment.refund.amount == Decimal("2.00")


def test_the_proof_of_an_order_whose_money_is_under_review_stays_until_the_review_ends(
    citizen, birth_act, django_capture_on_commit_callbacks
):
    order = order_with_proof(citizen, birth_act, OrderState.AWAITING_PAYMENT, placed_days_ago=0)
    payment_services.settle(gateway_outcome(order.payment, amount=Decimal("1.00")))  # paid short: held for review
    order.transitions.update(at=timezone.now() - timedelta(days=RETENTION_DAYS + 1))
    assert delete_expired_proofs() == 0
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_PAYMENT and stored(order)
    assert order.payment.state == PaymentState.MISMATCHED

    with django_capture_on_commit_callbacks(execute=True):
        payment_services.refund(order.payment, by=None, reason="Paid short")  # the review ends
    assert delete_expired_proofs() == 1
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and not order.proof
    assert order.payment.state == PaymentState.REFUNDED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes no row locks")
def test_the_payment_is_locked_before_the_order_as_when_it_is_paid(orders):
    with CaptureQueriesContext(connection) as queries:
        delete_expired_proofs()
    locked = [query["sql"].split(" FROM ")[1].split()[0] for query in queries if "FOR UPDATE" in query["sql"]]
    assert locked[:2] == ['"payments_payment"', '"documents_documentorder"']


def test_an_unpaid_order_whose_proof_is_found_infected_is_cancelled(
    scanner_away, citizen, birth_act, monkeypatch, django_capture_on_commit_callbacks
):
    order = order_with_proof(citizen, birth_act, OrderState.AWAITING_PAYMENT, placed_days_ago=0)
    assert order.proof_scan == ScanState.PENDING
    monkeypatch.setattr(
        "raqmana.civil_status_documents.proofs.scan", lambda data: ScanResult(ScanState.INFECTED, "Test.EICAR")
    )
    with translation.override("en"):
        assert scan_pending_proof(order.pk) == ScanState.INFECTED
    order.refresh_from_db()
    reason = "The virus scanner found a threat in the proof: the file was deleted."
    assert order.state == OrderState.CANCELLED and not order.proof
    assert last_step(order.transitions) == (OrderState.AWAITING_PAYMENT, OrderState.CANCELLED, None, reason)
    assert last_step(order.payment.transitions) == (PaymentState.PENDING, PaymentState.CANCELLED, None, reason)
    [told] = Notification.objects.filter(user=citizen)
    assert "the order, not paid, is cancelled" in told.body

    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_services.settle(gateway_outcome(order.payment))
    assert payment.state == PaymentState.REFUNDED and payment.refund.state == RefundState.CONFIRMED


def test_a_paid_order_whose_proof_is_found_infected_waits_for_its_refusal(
    scanner_away, citizen, birth_act, monkeypatch
):
    order = order_with_proof(citizen, birth_act, OrderState.AWAITING_PAYMENT, placed_days_ago=0)
    payment_services.settle(gateway_outcome(order.payment))
    monkeypatch.setattr(
        "raqmana.civil_status_documents.proofs.scan", lambda data: ScanResult(ScanState.INFECTED, "Test.EICAR")
    )
    scan_pending_proof(order.pk)
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_CHECK and order.payment.state == PaymentState.PAID
    [told] = Notification.objects.filter(user=citizen, subject__contains="proof")
    assert "wait for its refusal and refund" in told.body
