"""Law 09-08: the proof of an order that ended without a document is deleted after the retention period, with an
audit event for each deletion; the order keeps the date and its pages say so. Proofs that grounded an issued
document, and those of orders still open, are kept."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.core.tests import samples
from raqmana.documents.constants import DocumentKind, OrderState
from raqmana.documents.models import DocumentOrder, OrderTransition
from raqmana.documents.proofs import delete_expired_proofs
from raqmana.documents.services import place_order
from raqmana.documents.tasks import delete_expired_proofs as delete_expired_proofs_task

pytestmark = pytest.mark.django_db
RETENTION_DAYS = 90


@pytest.fixture(autouse=True)
def retention(settings):
    settings.RAQMANA_PROOF_RETENTION_DAYS = RETENTION_DAYS


def order_with_proof(citizen, act, state, *, placed_days_ago, changed_days_ago=None):
    """An order placed `placed_days_ago`, moved to `state` `changed_days_ago` (when it moved at all)."""
    order = place_order(
        citizen, act, DocumentKind.BIRTH_FULL_COPY, relation="holder", mandate_reference="", purpose="Visa",
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
    assert f"Your proof was deleted on {today}" in page and "Law 09-08" in page
    assert f"Proof deleted on {today}" in client.get(reverse("documents:orders")).text
    kept = orders["waiting for its check for long"]
    assert "Your proof was deleted" not in client.get(reverse("documents:order", args=[kept.pk])).text
