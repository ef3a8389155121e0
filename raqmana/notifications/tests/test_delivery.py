import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory
from raqmana.notifications.models import Channel, Notification
from raqmana.notifications.services import NO_CHANNEL, attempt_delivery, notify, send_due_notifications

pytestmark = pytest.mark.django_db

SIGNUP_ATTEMPTED = {"contact": "amina@example.ma", "login": "https://raqmana.ma/login", "reset": "https://raqmana.ma/r"}


@pytest.fixture
def sms_gateway(settings):
    """A local HTTP server standing for the SMS gateway: it records what it receives."""
    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(
                (self.headers["Authorization"], json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            )
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"id": "sms-1"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.RAQMANA_SMS_PROVIDER = "raqmana.notifications.sms.HttpSms"
    settings.RAQMANA_SMS_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.RAQMANA_SMS_TOKEN = "secret-token"
    yield received
    server.shutdown()


def test_a_person_is_told_by_email_and_by_sms(sms_gateway, django_capture_on_commit_callbacks):
    user = UserFactory(phone="0612345678", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "accounts.signup_attempted", SIGNUP_ATTEMPTED)
    subject = "Raqmana: someone tried to open an account with your contact"
    assert mail.outbox[0].to == [user.email] and mail.outbox[0].subject == subject
    ((authorization, message),) = sms_gateway
    assert authorization == "Bearer secret-token" and message["to"] == "+212612345678"
    assert subject in message["text"] and "amina@example.ma" in message["text"]
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_a_gateway_failure_is_recorded_not_raised(settings, django_capture_on_commit_callbacks):
    settings.RAQMANA_SMS_PROVIDER = "raqmana.notifications.sms.HttpSms"
    settings.RAQMANA_SMS_URL = "http://127.0.0.1:9/unreachable"
    user = UserFactory(phone="0612345679")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "accounts.signup_attempted", SIGNUP_ATTEMPTED)
    sms = Notification.objects.get(channel=Channel.SMS)
    assert sms.sent_at is None and sms.error


def test_no_sms_without_a_provider(settings, django_capture_on_commit_callbacks):
    settings.RAQMANA_SMS_PROVIDER = ""
    with django_capture_on_commit_callbacks(execute=True):
        notify(UserFactory(phone="0612345670"), "accounts.signup_attempted", SIGNUP_ATTEMPTED)
    assert list(Notification.objects.values_list("channel", flat=True)) == [Channel.EMAIL]


def test_a_notification_delivered_twice_is_sent_once(settings):
    from raqmana.notifications.tasks import deliver

    settings.RAQMANA_SMS_PROVIDER = ""
    notification = Notification.objects.create(
        user=UserFactory(), channel=Channel.EMAIL, address="a@example.ma", subject="S", body="B"
    )
    deliver.call(notification.pk)
    deliver.call(notification.pk)
    assert len(mail.outbox) == 1


def test_a_person_no_channel_reaches_leaves_an_unsent_notification_in_the_admin(
    settings, django_capture_on_commit_callbacks, verified_client
):
    """A phone only and no SMS provider: the message is kept with why it was not sent, never queued nor retried."""
    settings.RAQMANA_SMS_PROVIDER = ""
    person = UserFactory(email=None, phone="0612345670")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        [kept] = notify(person, "accounts.signup_attempted", SIGNUP_ATTEMPTED)
    assert not queued
    kept.refresh_from_db()
    assert (kept.channel, kept.address, kept.attempts) == (Channel.SMS, "+212612345670", 0)
    assert kept.sent_at is None and kept.next_attempt_at is None and kept.error and kept.given_up_at
    assert send_due_notifications() == 0
    kept.refresh_from_db()
    assert kept.attempts == 0
    admin = verified_client(UserFactory(is_superuser=True, is_staff=True))
    listing = admin.get(reverse("admin:notifications_notification_changelist"), {"sent_at__isnull": "True"})
    assert listing.status_code == 200 and "+212612345670" in listing.text
    assert admin.get(reverse("admin:notifications_notification_change", args=[kept.pk])).status_code == 200


def test_a_send_without_an_sms_provider_is_recorded_as_such(settings):
    settings.RAQMANA_SMS_PROVIDER = ""
    notification = Notification.objects.create(
        user=UserFactory(), channel=Channel.SMS, address="+212612345670", subject="S", body="B"
    )
    assert attempt_delivery(notification.pk) is False
    notification.refresh_from_db()
    assert notification.error == str(NO_CHANNEL) and notification.attempts == 1
