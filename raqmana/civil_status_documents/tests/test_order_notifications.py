"""A citizen paying for an extract while the task broker is down: the payment, the document and the notification
are recorded, the request succeeds, and the notifications' sweep tells the citizen once the broker is back."""

import pytest
from django.core import mail
from django.tasks.backends.dummy import DummyBackend
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.notifications.models import Notification
from raqmana.notifications.services import send_due_notifications

pytestmark = pytest.mark.django_db


class RefusingBackend(DummyBackend):
    """A task backend whose broker does not answer."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionRefusedError("broker unreachable")


def test_a_paid_order_succeeds_with_the_broker_down_and_the_sweep_tells_the_citizen(
    client, birth_act, settings, django_capture_on_commit_callbacks, caplog
):
    citizen = UserFactory(preferred_language="fr")
    client.force_login(citizen)
    order_url = (
        f"{reverse('documents:order_new')}?kind={CivilStatusDocument.BIRTH_EXTRACT}&reference={birth_act.idcs}"
        f"&event_date={birth_act.birth_date:%Y-%m-%d}&first_name={birth_act.first_name_latin}"
    )
    ordered = client.post(order_url, {"requester_relation": "holder", "purpose": "Passport"})
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(ordered.url, {"choice": "pay"})
        back = client.get(answer.url)
    assert back.status_code == 302 and "Could not queue" in caplog.text
    order = DocumentOrder.objects.get()
    assert order.state == OrderState.ISSUED and not mail.outbox
    notification = Notification.objects.get(user=citizen)
    assert notification.unit == birth_act.office and notification.sent_at is None

    assert send_due_notifications() == 1
    assert [message.to for message in mail.outbox] == [[citizen.email]]
