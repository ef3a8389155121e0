"""Notifications with a real mail server that fails: a local SMTP sink (aiosmtpd) stopped, slow, or reached by a
worker that dies after the send. Each message reaches the sink exactly once when the sink was only away, and at most
once more, with the same Message-ID, when the worker died between the send and its record; no database lock is held
while the mail server is talked to."""

import asyncio
import email
import socket
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.notifications import services
from raqmana.notifications.models import AttemptOutcome, Notification, NotificationAttempt
from raqmana.notifications.services import LEASE, notify, send_due_notifications

pytestmark = pytest.mark.django_db(transaction=True)

CONTEXT = {"contact": "amina@example.ma", "login": "https://r.ma/login", "reset": "https://r.ma/reset"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """A mail server on a fixed local port that can be stopped and started again; it keeps the Message-ID of each
    message it receives. `while_receiving` runs in a thread of its own (it may use the database) during each
    reception, before the sink answers."""

    def __init__(self, port):
        self.port, self.received, self.while_receiving, self._controller = port, [], None, None

    async def handle_DATA(self, server, session, envelope):
        if self.while_receiving is not None:
            await asyncio.to_thread(self.while_receiving)
        self.received.append(email.message_from_bytes(envelope.content)["Message-ID"])
        return "250 Message accepted for delivery"

    def start(self):
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        self._controller.stop()
        self._controller = None


@pytest.fixture
def smtp_sink(settings):
    settings.RAQMANA_SMS_PROVIDER = ""
    sink = SmtpSink(_free_port())
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 5},
        }
    }
    sink.start()
    yield sink
    if sink._controller is not None:
        sink.stop()


def _notify_people(count):
    """`count` people told in as many committed transactions; each send is queued and run after its commit."""
    notifications = []
    for number in range(count):
        person = UserFactory(email=f"citizen{number}@example.ma", preferred_language="fr")
        with transaction.atomic():
            notifications += notify(person, "accounts.signup_attempted", CONTEXT)
    return notifications


def _all_due():
    """Stands for the clock: every retry delay and lease has passed (no worker is sending meanwhile)."""
    past = timezone.now() - LEASE - timedelta(seconds=1)
    Notification.objects.filter(sent_at=None).update(next_attempt_at=past)
    NotificationAttempt.objects.filter(notification__sent_at=None).update(renewed_at=past)


def test_a_stopped_mail_server_delays_messages_and_each_arrives_once_when_it_is_back(smtp_sink):
    smtp_sink.stop()
    notifications = _notify_people(3)
    assert Notification.objects.filter(sent_at=None, attempts=1).exclude(error="").count() == 3
    assert send_due_notifications() == 0  # not due yet: the first retry waits a minute

    smtp_sink.start()
    _all_due()
    assert send_due_notifications() == 3
    _all_due()
    assert send_due_notifications() == 0
    message_ids = set(Notification.objects.values_list("message_id", flat=True))
    assert len(message_ids) == len(notifications) == 3 and None not in message_ids
    assert Counter(smtp_sink.received) == Counter(dict.fromkeys(message_ids, 1))
    for notification in Notification.objects.all():
        outcomes = list(notification.sendings.values_list("outcome", flat=True))
        assert outcomes == [AttemptOutcome.FAILED, AttemptOutcome.SENT] and notification.sent_at


def test_a_worker_dying_after_the_send_sends_once_more_with_the_same_message_id(smtp_sink, monkeypatch):
    def killed(*args):
        raise DatabaseError("connection terminated")

    monkeypatch.setattr(services, "record_success", killed)
    (notification,) = _notify_people(1)  # the send after commit dies before its record
    monkeypatch.undo()
    assert len(smtp_sink.received) == 1
    assert send_due_notifications() == 0  # its lease holds

    _all_due()  # the lease runs out
    assert send_due_notifications() == 1
    notification.refresh_from_db()
    assert smtp_sink.received == [notification.message_id] * 2  # a mail system deduplicating delivers it once
    outcomes = list(notification.sendings.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.INTERRUPTED, AttemptOutcome.SENT]


def test_the_row_is_committed_and_unlocked_while_the_mail_server_answers(smtp_sink):
    seen = []

    def from_another_connection():
        # Another worker's view: the claim is committed (attempt, lease, message id) and nothing holds the row.
        try:
            with transaction.atomic():
                (row,) = Notification.objects.select_for_update(nowait=True).values("attempts", "message_id")
                Notification.objects.filter(message_id=row["message_id"]).update(kind="accounts.signup_attempted")
            seen.append(row)
        finally:
            connections.close_all()

    smtp_sink.while_receiving = from_another_connection
    (notification,) = _notify_people(1)
    notification.refresh_from_db()
    assert notification.sent_at and seen == [{"attempts": 1, "message_id": notification.message_id}]
    assert smtp_sink.received == [notification.message_id]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer: sweeps there do not overlap")
def test_two_sweeps_at_once_send_each_message_once(smtp_sink):
    smtp_sink.stop()
    _notify_people(4)  # each first send fails: the rows wait for the sweep
    smtp_sink.start()
    smtp_sink.while_receiving = lambda: time.sleep(0.2)  # a slow mail server: both sweeps overlap
    _all_due()
    sent = []

    def sweep():
        try:
            sent.append(send_due_notifications())
        finally:
            connections.close_all()

    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join()
    assert sum(sent) == 4 and len(smtp_sink.received) == len(set(smtp_sink.received)) == 4
