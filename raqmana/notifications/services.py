"""Telling people what happened to their requests: by email when they have one, by SMS when they have a phone
and an SMS provider is configured.

`notify(person, "civil_status_documents.order_issued", context)` renders the message of that kind (kinds.py) in the
person's language at once, so the row keeps what was said whatever the templates become, and queues it after commit:
nothing leaves for a transaction rolled back. A failed send is tried again after RETRY_DELAYS, then left with its
error."""

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import message_kind, render_message
from .models import Channel, Notification
from .sms import sms_provider
from .tasks import deliver

if TYPE_CHECKING:  # the project's user model, for its type only: notifications sit below accounts
    from raqmana.accounts.models import User

logger = logging.getLogger(__name__)

# How long after each failed send the next is tried; after the last, the notification keeps its error.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

NO_CHANNEL = _("Not sent: the person has no email address and no SMS provider is configured.")


def language_of(person: "User") -> str:
    """The language a person reads their messages in: the one they chose, else Arabic."""
    return person.preferred_language or settings.LANGUAGE_CODE


def notify(person: "User", key: str, context: dict[str, Any]) -> list[Notification]:
    """Queue the message of kind `key` on every channel `person` can be reached by. When none reaches them (a phone
    only, and no SMS provider configured), the message is kept unsent with NO_CHANNEL as its error, for the
    administration to see, and neither sent nor tried again."""
    kind = message_kind(key)
    if kind.one_time:
        raise ValueError(f"{key} carries a one-time code: send it with send_code, which keeps no copy.")
    message = render_message(kind, context, language_of(person))
    addresses = []
    if person.email:
        addresses.append((Channel.EMAIL, person.email))
    if person.phone and sms_provider() is not None:
        addresses.append((Channel.SMS, str(person.phone)))
    written = {"user": person, "kind": key, "subject": message.subject, "body": message.body}
    if not addresses:  # a phone only, and no SMS provider: the message is kept, unsent, with why
        unsent = Notification.objects.create(
            **written, channel=Channel.SMS, address=str(person.phone), error=str(NO_CHANNEL)
        )
        logger.warning("Notification %s (%s) reaches no channel of user %s.", unsent.pk, key, person.pk)
        return [unsent]
    notifications = []
    for channel, address in addresses:
        notification = Notification.objects.create(**written, channel=channel, address=address)
        transaction.on_commit(partial(deliver.enqueue, notification.pk))
        notifications.append(notification)
    return notifications


def send_code(channel: str, address: str, key: str, context: dict[str, Any], language: str) -> None:
    """Send a message carrying a one-time code now, keeping no copy (a copy kept would be a readable code at rest):
    the caller, a task, makes the code in the worker so that it never sits in the queue either."""
    kind = message_kind(key)
    if not kind.one_time:
        raise ValueError(f"{key} is no one-time message: send it with notify.")
    message = render_message(kind, context, language)
    transmit(channel, address, message.subject, message.body)


def transmit(channel: str, address: str, subject: str, body: str) -> None:
    """Hand one message to the mail server or the SMS gateway now."""
    if channel == Channel.EMAIL:
        send_mail(subject, body, None, [address])
    else:
        provider = sms_provider()
        if provider is None:
            raise RuntimeError(str(NO_CHANNEL))
        provider.send(address, f"{subject}\n{body}")


def attempt_delivery(notification_id: int) -> bool:
    """Send one notification unless it left already or its next attempt is not due; a failure is recorded with the
    time of the next attempt (none after MAX_ATTEMPTS), never raised. The row stays locked while it is sent, so a
    task delivered twice, or a retry meeting the periodic sweep, sends once."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        now = timezone.now()
        if notification.sent_at or (notification.next_attempt_at and notification.next_attempt_at > now):
            return bool(notification.sent_at)
        if notification.attempts >= MAX_ATTEMPTS:
            return False
        notification.attempts += 1
        try:
            transmit(notification.channel, notification.address, notification.subject, notification.body)
        except Exception as error:  # any failure of a mail server or gateway is recorded, not raised
            notification.error = str(error)[:300]
            if notification.attempts < MAX_ATTEMPTS:
                notification.next_attempt_at = now + RETRY_DELAYS[notification.attempts - 1]
                transaction.on_commit(partial(_retry_later, notification.pk, notification.next_attempt_at))
            else:
                notification.next_attempt_at = None
            notification.save(update_fields=["attempts", "error", "next_attempt_at"])
            return False
        notification.sent_at, notification.next_attempt_at, notification.error = now, None, ""
        notification.save(update_fields=["attempts", "sent_at", "next_attempt_at", "error"])
        return True


def _retry_later(notification_id: int, when: datetime) -> None:
    """Where the task backend can wait (the database worker, Celery), the retry is queued for its time; elsewhere
    the periodic `retry_notifications` finds it."""
    if deliver.get_backend().supports_defer:
        deliver.using(run_after=when).enqueue(notification_id)


def retry_due_notifications() -> int:
    """Try again every unsent notification whose next attempt is due; returns how many left. Run every few
    minutes (`manage.py retry_notifications`, or the task of the same name): it catches the retries of a backend
    that cannot wait and of tasks lost on the way."""
    due = Notification.objects.filter(sent_at=None, next_attempt_at__lte=timezone.now()).order_by("next_attempt_at")
    return sum(attempt_delivery(pk) for pk in due.values_list("pk", flat=True))
