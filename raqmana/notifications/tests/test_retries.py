from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.notifications import kinds, services
from raqmana.notifications.models import Notification
from raqmana.notifications.services import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    notify,
    send_code,
    send_due_notifications,
)

pytestmark = pytest.mark.django_db

CONTEXT = {"contact": "amina@example.ma", "login": "https://r.ma/login", "reset": "https://r.ma/reset"}


@pytest.fixture
def person(settings):
    settings.RAQMANA_SMS_PROVIDER = ""
    return UserFactory(preferred_language="fr")


@pytest.fixture
def mail_server_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server away")

    monkeypatch.setattr(services, "send_email", refuse)


def _make_due(notification):
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_failed_send_is_tried_again_later_with_growing_delays(person, mail_server_down, monkeypatch):
    with transaction.atomic():
        (notification,) = notify(person, "accounts.signup_attempted", CONTEXT)
    # The test database wraps each test in a transaction: deliver as the commit would.
    services.attempt_delivery(notification.pk)
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.error == "mail server away"
    first_wait = notification.next_attempt_at - timezone.now()
    assert RETRY_DELAYS[0] - timedelta(seconds=5) < first_wait <= RETRY_DELAYS[0]
    assert send_due_notifications() == 0  # not due yet: nothing tried
    _make_due(notification)
    assert send_due_notifications() == 0
    notification.refresh_from_db()
    assert notification.attempts == 2 and notification.next_attempt_at - timezone.now() > RETRY_DELAYS[0]

    monkeypatch.undo()  # the mail server is back
    _make_due(notification)
    assert send_due_notifications() == 1
    notification.refresh_from_db()
    assert notification.sent_at and notification.next_attempt_at is None and notification.attempts == 3
    assert len(mail.outbox) == 1 and "amina@example.ma" in mail.outbox[0].body
    assert send_due_notifications() == 0  # sent once


def test_after_the_last_attempt_the_error_stays_recorded(person, mail_server_down):
    (notification,) = notify(person, "accounts.signup_attempted", CONTEXT)
    services.attempt_delivery(notification.pk)
    for _ in range(MAX_ATTEMPTS - 1):
        _make_due(notification)
        send_due_notifications()
    notification.refresh_from_db()
    assert notification.attempts == MAX_ATTEMPTS and notification.next_attempt_at is None
    assert notification.sent_at is None and notification.error == "mail server away" and notification.given_up_at
    services.attempt_delivery(notification.pk)  # a late task tries no more
    notification.refresh_from_db()
    assert notification.attempts == MAX_ATTEMPTS


@transaction.atomic
def _service_failing_after_telling(person):
    notify(person, "accounts.signup_attempted", CONTEXT)
    raise RuntimeError("the service failed after telling")


def test_nothing_is_sent_when_the_transaction_rolls_back(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _service_failing_after_telling(person)
    assert callbacks == [] and mail.outbox == [] and not Notification.objects.exists()


def test_what_was_sent_is_kept_as_rendered_when_notified(person, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(person, "accounts.signup_attempted", CONTEXT)
        rendered = notification.body
        monkeypatch.setattr(kinds, "render_message", lambda *args: kinds.RenderedMessage("New", "New templates"))
    notification.refresh_from_db()
    assert notification.kind == "accounts.signup_attempted" and notification.body == rendered
    assert "quelqu’un" in rendered.lower() and mail.outbox[0].body == rendered  # rendered in French, and sent so


def test_a_one_time_code_is_sent_never_stored(person):
    send_code("email", "amina@example.ma", "accounts.contact_code", {"code": "482913", "minutes": 10}, "en")
    assert "482913" in mail.outbox[0].body and not Notification.objects.exists()
    with pytest.raises(ValueError):
        notify(person, "accounts.contact_code", {"code": "482913", "minutes": 10})
    with pytest.raises(ValueError):
        send_code("email", "amina@example.ma", "accounts.signup_attempted", CONTEXT, "en")


def test_the_periodic_command_sends_what_is_due(person, mail_server_down, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    (notification,) = notify(person, "accounts.signup_attempted", CONTEXT)
    services.attempt_delivery(notification.pk)
    monkeypatch.undo()
    _make_due(notification)
    out = StringIO()
    call_command("retry_notifications", stdout=out)
    assert out.getvalue().startswith("1 ") and len(mail.outbox) == 1
