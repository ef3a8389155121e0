"""The outbox: each notification row is the truth of its delivery; a send is claimed and committed before the provider
is called, carries one message id for the row's life, and is recorded attempt by attempt."""

import json
import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import connection, transaction
from django.tasks.backends.dummy import DummyBackend
from django.utils import timezone, translation

from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.kernel import periodic
from raqmana.notifications import services
from raqmana.notifications.models import AttemptOutcome, Channel, Notification, NotificationAttempt
from raqmana.notifications.services import LEASE, MAX_ATTEMPTS, attempt_delivery, notify, send_due_notifications
from raqmana.notifications.tasks import send_due_notifications as sweep_task
from raqmana.territories.models import CivilStatusOffice

pytestmark = pytest.mark.django_db

CONTEXT = {"contact": "amina@example.ma", "login": "https://r.ma/login", "reset": "https://r.ma/reset"}


class RefusingBackend(DummyBackend):
    """A task backend whose broker does not answer."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionRefusedError("broker unreachable")


@pytest.fixture
def person(settings):
    settings.RAQMANA_SMS_PROVIDER = ""
    return UserFactory(preferred_language="en")


@pytest.fixture
def mail_server_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server away")

    monkeypatch.setattr(services, "send_email", refuse)


def _written(person, unit=None):
    """A notification written in a transaction whose queued send never ran (a worker lost)."""
    with transaction.atomic():
        (notification,) = notify(person, "accounts.signup_attempted", CONTEXT, unit=unit)
    return notification


def _lease_runs_out(notification):
    """Stands for the clock: LEASE has passed since the row was claimed, and since any attempt was last renewed."""
    past = timezone.now() - LEASE - timedelta(seconds=1)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=past)
    NotificationAttempt.objects.filter(notification=notification).update(renewed_at=past)


def _message_ids():
    return [message.message()["Message-ID"] for message in mail.outbox]


def test_a_new_notification_is_due_at_once_and_the_sweep_is_periodic(person):
    notification = _written(person)
    assert notification.next_attempt_at <= timezone.now() and notification.sent_at is None
    assert any(job.task is sweep_task and job.interval == timedelta(minutes=1) for job in periodic.periodic_jobs())


def test_the_sweep_sends_due_rows_and_skips_leased_ones(person):
    due, leased = _written(person), _written(person)
    Notification.objects.filter(pk=leased.pk).update(next_attempt_at=timezone.now() + LEASE)
    assert send_due_notifications() == 1
    due.refresh_from_db()
    leased.refresh_from_db()
    assert due.sent_at and due.attempts == 1 and leased.sent_at is None and leased.attempts == 0
    assert len(mail.outbox) == 1 and _message_ids() == [due.message_id]
    assert send_due_notifications() == 0  # sent once


def test_the_message_id_is_committed_before_the_send_and_every_attempt_is_recorded(person, monkeypatch):
    notification = _written(person)
    seen = {}

    def send(address, subject, body, message_id=None):
        seen.update(Notification.objects.filter(pk=notification.pk).values("message_id", "attempts").get())
        seen["lease"] = Notification.objects.get(pk=notification.pk).next_attempt_at - timezone.now()
        raise ConnectionRefusedError("mail server away")

    monkeypatch.setattr(services, "send_email", send)
    assert attempt_delivery(notification.pk) is False
    assert seen["message_id"].startswith("<") and seen["message_id"].endswith("@127.0.0.1>")
    assert seen["attempts"] == 1 and LEASE - timedelta(seconds=5) < seen["lease"] <= LEASE
    monkeypatch.undo()
    _lease_runs_out(notification)
    assert attempt_delivery(notification.pk) is True
    notification.refresh_from_db()
    assert notification.message_id == seen["message_id"] == _message_ids()[0]
    assert [(s.number, s.outcome, s.error) for s in notification.sendings.all()] == [
        (1, AttemptOutcome.FAILED, "mail server away"),
        (2, AttemptOutcome.SENT, ""),
    ]
    assert all(sending.finished_at for sending in notification.sendings.all())


def test_a_crash_between_the_send_and_its_record_sends_once_more_with_the_same_message_id(person, monkeypatch):
    notification = _written(person)

    def crash(*args):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "record_success", crash)
    with pytest.raises(RuntimeError):
        attempt_delivery(notification.pk)
    monkeypatch.undo()
    assert len(mail.outbox) == 1
    assert send_due_notifications() == 0  # leased: the worker might still be sending
    _lease_runs_out(notification)
    assert send_due_notifications() == 1
    notification.refresh_from_db()
    assert len(mail.outbox) == 2 and _message_ids() == [notification.message_id] * 2
    outcomes = list(notification.sendings.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.INTERRUPTED, AttemptOutcome.SENT] and notification.attempts == 2


def test_a_last_attempt_cut_short_is_given_up_when_its_lease_runs_out(person, monkeypatch, caplog):
    notification = _written(person)
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS - 1)
    monkeypatch.setattr(services, "record_success", lambda *args: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        attempt_delivery(notification.pk)
    monkeypatch.undo()
    _lease_runs_out(notification)
    with caplog.at_level(logging.ERROR, logger="raqmana.alerts.notifications"):
        assert send_due_notifications() == 0
    notification.refresh_from_db()
    assert notification.given_up_at and notification.error and len(mail.outbox) == 1
    assert notification.sendings.get().outcome == AttemptOutcome.INTERRUPTED
    assert AuditEvent.objects.filter(action="notification.given_up", target_id=str(notification.pk)).exists()


def test_giving_up_alerts_and_is_audited_at_the_office(person, mail_server_down, caplog):
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    notification = _written(person, unit=office)
    with caplog.at_level(logging.ERROR, logger="raqmana.alerts.notifications"):
        for _ in range(MAX_ATTEMPTS):
            _lease_runs_out(notification)
            send_due_notifications()
    notification.refresh_from_db()
    assert notification.given_up_at and notification.attempts == MAX_ATTEMPTS and notification.next_attempt_at is None
    assert notification.sendings.filter(outcome=AttemptOutcome.FAILED).count() == MAX_ATTEMPTS
    (alert,) = [r for r in caplog.records if r.name == "raqmana.alerts.notifications"]
    assert alert.levelno == logging.ERROR and "given up" in alert.getMessage()
    event = AuditEvent.objects.get(action="notification.given_up")
    assert event.unit == office and event.actor is None and person.email not in event.target_repr
    _lease_runs_out(notification)
    assert send_due_notifications() == 0  # given up: the sweep leaves it to a person


def test_an_account_message_given_up_is_audited_nationally(person, mail_server_down):
    notification = _written(person)
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS - 1)
    attempt_delivery(notification.pk)
    event = AuditEvent.objects.get(action="notification.given_up")
    assert event.unit is None and event.territory is None


def test_resend_starts_a_new_round_with_the_same_message_id(person, mail_server_down, monkeypatch):
    notification = _written(person)
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS - 1)
    attempt_delivery(notification.pk)
    notification.refresh_from_db()
    message_id = notification.message_id
    monkeypatch.undo()
    admin = UserFactory(is_superuser=True)
    with transaction.atomic():
        services.resend(notification, by=admin)
    notification.refresh_from_db()
    assert notification.given_up_at is None and notification.attempts == 0
    event = AuditEvent.objects.get(action="notification.resent")
    assert event.actor == admin and event.details["previous_attempts"] == MAX_ATTEMPTS
    assert send_due_notifications() == 1
    notification.refresh_from_db()
    assert notification.sent_at and _message_ids() == [message_id]
    with translation.override("en"), pytest.raises(Exception, match="sent already"):
        services.resend(notification, by=admin)


def test_two_sweeps_at_once_send_a_row_once(person, monkeypatch):
    """A sweep reaching a row another has just claimed (its lease set) leaves it."""
    _written(person)
    inner = []

    def send(address, subject, body, message_id=None):
        inner.append(send_due_notifications())  # a second sweep while the first sends
        mail.outbox.append(mail.EmailMessage(subject, body, to=[address], headers={"Message-ID": message_id}))

    monkeypatch.setattr(services, "send_email", send)
    assert send_due_notifications() == 1
    assert inner == [0] and len(mail.outbox) == 1


def test_a_broker_refusing_the_queue_loses_nothing(person, settings, django_capture_on_commit_callbacks, caplog):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(person, "accounts.signup_attempted", CONTEXT)
    assert "Could not queue" in caplog.text and not mail.outbox
    assert send_due_notifications() == 1
    notification.refresh_from_db()
    assert notification.sent_at and len(mail.outbox) == 1


@pytest.fixture
def sms_gateway(settings):
    """A local HTTP server standing for an SMS gateway that deduplicates by idempotency key."""
    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.headers["Idempotency-Key"], body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(json.dumps({"id": f"sms-{len(received)}"}).encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.RAQMANA_SMS_PROVIDER = "raqmana.notifications.sms.HttpSms"
    settings.RAQMANA_SMS_URL = f"http://127.0.0.1:{server.server_port}/send"
    yield received
    server.shutdown()


def test_an_sms_carries_its_message_id_as_idempotency_key_on_every_send(sms_gateway, monkeypatch):
    with transaction.atomic():
        notify(UserFactory(email=None, phone="0612345678"), "accounts.signup_attempted", CONTEXT)
    sms = Notification.objects.get(channel=Channel.SMS)
    monkeypatch.setattr(services, "record_success", lambda *args: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        attempt_delivery(sms.pk)
    monkeypatch.undo()
    _lease_runs_out(sms)
    assert send_due_notifications() == 1
    sms.refresh_from_db()
    key = sms.message_id.strip("<>")
    assert [(header, body["reference"]) for header, body in sms_gateway] == [(key, key), (key, key)]
    assert sms.sendings.get(outcome=AttemptOutcome.SENT).answer == '{"id": "sms-2"}'


def test_no_lock_nor_transaction_is_held_while_the_provider_is_called(person, monkeypatch):
    notification = _written(person)
    during_send = []

    def send(address, subject, body, message_id=None):
        # Inside the test's own transaction (savepoints excepted), nothing of the delivery's is open.
        during_send.append(len(connection.savepoint_ids))

    monkeypatch.setattr(services, "send_email", send)
    assert attempt_delivery(notification.pk) is True
    assert during_send == [0]


@pytest.mark.django_db(transaction=True)  # the renewing thread has its own connection: it sees committed rows only
def test_a_slow_send_keeps_its_lease_renewed_and_no_sweep_sends_it_again(person, monkeypatch):
    monkeypatch.setattr(services, "RENEW_EVERY", timedelta(seconds=0.05))
    notification = None
    send_email = services.send_email
    swept = []

    def slow_send(*args, **kwargs):
        time.sleep(0.4)  # a slow mail server: the attempt is renewed meanwhile
        attempt = NotificationAttempt.objects.get(notification=notification)
        swept.append((attempt.renewed_at > attempt.started_at, send_due_notifications()))
        send_email(*args, **kwargs)

    monkeypatch.setattr(services, "send_email", slow_send)
    with transaction.atomic():  # committed, its send runs at once (the immediate backend of tests)
        (notification,) = notify(person, "accounts.signup_attempted", CONTEXT)
    notification.refresh_from_db()
    assert notification.sent_at and swept == [(True, 0)] and len(mail.outbox) == 1


def test_a_sweep_stops_claiming_when_its_time_is_spent_and_the_next_takes_up_the_rest(person, monkeypatch):
    first, second = _written(person), _written(person)
    monkeypatch.setattr(services, "SWEEP_TIME", timedelta(0))
    assert send_due_notifications() == 0
    monkeypatch.setattr(services, "SWEEP_TIME", timedelta(minutes=4))
    assert send_due_notifications() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.sent_at and second.sent_at
