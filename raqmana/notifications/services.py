"""Telling people what happened to their requests: by email when they have one, by SMS when they have a phone
and an SMS provider is configured.

Delivery is an outbox. `notify(person, "civil_status_documents.order_issued", context, unit=office)` renders the
message of that kind (kinds.py) in the person's language at once, so the row keeps what was said whatever the
templates become, and writes one `Notification` per channel, due at once, in the caller's transaction: nothing leaves
for a transaction rolled back, and the row is the truth of its delivery. Its send is queued after commit; a broker
that refuses it loses nothing, since the periodic sweep (`send_due_notifications`, every minute) sends every unsent
row that is due.

Each send is idempotent where the provider allows it: a short transaction claims the row (one attempt more, a
lease, the message id set once for the row's life) and commits before the mail server or the SMS gateway is called,
outside any transaction; a second short one writes the outcome. A worker killed between the send and its record
leaves the row leased: when the lease runs out the sweep sends it again with the same message id (the email's
Message-ID, the SMS's idempotency key), which mail systems and providers that deduplicate drop. A failed send is
tried again after RETRY_DELAYS; after the last attempt the row is given up, with an alert (an ERROR on the
"raqmana.alerts.notifications" logger and an audit event), and waits for a person to resend it."""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from raqmana.audit.services import record
from raqmana.kernel.tasks import enqueue_on_commit
from raqmana.kernel.text import machine_text
from raqmana.territories.models import AdministrativeUnit

from .kinds import message_kind, render_message
from .models import AttemptOutcome, Channel, Notification, NotificationAttempt
from .sms import sms_provider
from .tasks import deliver

if TYPE_CHECKING:  # the project's user model, for its type only: notifications sit below accounts
    from raqmana.accounts.models import User

logger = logging.getLogger(__name__)
# Where operators route what needs a person: a notification given up is one.
alerts = logging.getLogger("raqmana.alerts.notifications")

# How long after each failed send the next is tried; after the last, the notification is given up.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# While an attempt runs its row is leased, and the lease renewed every RENEW_EVERY by the sending worker: only an
# attempt whose worker died (not renewed for LEASE) leaves its row to the sweep, however slow the mail server.
LEASE = timedelta(minutes=5)
RENEW_EVERY = LEASE / 5
# The most rows one sweep sends, and the longest it goes on claiming (well inside the task time limits: a slow mail
# server makes each send last up to its timeout); the next sweep, a minute later, takes up the rest.
SWEEP_BATCH = 500
SWEEP_TIME = timedelta(minutes=4)

NO_CHANNEL = _("Not sent: the person has no email address and no SMS provider is configured.")
LAST_ATTEMPT_INTERRUPTED = _("The last attempt was interrupted before its outcome was recorded.")
ALREADY_SENT = _("This notification was sent already.")
ATTEMPT_UNDER_WAY = _("An attempt to send this notification is under way: look again in a few minutes.")


def language_of(person: "User") -> str:
    """The language a person reads their messages in: the one they chose, else Arabic."""
    return person.preferred_language or settings.LANGUAGE_CODE


def notify(
    person: "User", key: str, context: dict[str, Any], *, unit: AdministrativeUnit | None = None
) -> list[Notification]:
    """Write the message of kind `key` for every channel `person` can be reached by, due at once, and queue its send
    after commit. `unit` is the office it concerns, whose staff see it undelivered (none: the national
    administration only). When no channel reaches the person (a phone only, and no SMS provider configured), the
    message is kept with NO_CHANNEL as its error and given up at once, for the administration to see."""
    kind = message_kind(key)
    if kind.one_time:
        raise ValueError(f"{key} carries a one-time code: send it with send_code, which keeps no copy.")
    message = render_message(kind, context, language_of(person))
    addresses = []
    if person.email:
        addresses.append((Channel.EMAIL, person.email))
    if person.phone and sms_provider() is not None:
        addresses.append((Channel.SMS, str(person.phone)))
    written = {"user": person, "unit": unit, "kind": key, "subject": message.subject, "body": message.body}
    now = timezone.now()
    if not addresses:  # a phone only, and no SMS provider: the message is kept, given up, with why
        unsent = Notification.objects.create(
            **written, channel=Channel.SMS, address=str(person.phone), error=str(NO_CHANNEL)
        )
        _give_up(unsent, now)
        return [unsent]
    notifications = []
    for channel, address in addresses:
        notification = Notification.objects.create(**written, channel=channel, address=address, next_attempt_at=now)
        enqueue_on_commit(deliver, notification.pk)
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


def new_message_id() -> str:
    """A message id unique to one notification, "<…@site domain>" as RFC 5322 spells a Message-ID."""
    return make_msgid(domain=urlsplit(settings.RAQMANA_PUBLIC_URL).hostname or "localhost")


def send_email(address: str, subject: str, body: str, message_id: str | None = None) -> None:
    """Hand one email to the mail server (settings.MAILERS), carrying `message_id` as its Message-ID."""
    headers = {"Message-ID": message_id} if message_id else {}
    EmailMessage(subject, body, to=[address], headers=headers).send()


def transmit(channel: str, address: str, subject: str, body: str, message_id: str | None = None) -> str:
    """Hand one message to the mail server or the SMS gateway now; returns what the provider answered."""
    if channel == Channel.EMAIL:
        send_email(address, subject, body, message_id)
        return ""
    provider = sms_provider()
    if provider is None:
        raise RuntimeError(str(NO_CHANNEL))
    reference = message_id.strip("<>") if message_id else None
    return str(provider.send(address, f"{subject}\n{body}", reference=reference))


@dataclass(frozen=True)
class Sending:
    """An attempt claimed, committed before its send: what to send, and the rows its outcome is written to."""

    notification_id: int
    attempt_id: int
    number: int
    channel: str
    address: str
    subject: str
    body: str
    message_id: str


def _due(now: datetime) -> Q:
    """Unsent, not given up, its next attempt (or the lease of an attempt whose worker died) come, and no attempt
    under way (one renewed within LEASE)."""
    under_way = NotificationAttempt.objects.filter(
        notification=OuterRef("pk"), outcome=AttemptOutcome.SENDING, renewed_at__gt=now - LEASE
    )
    come = Q(sent_at=None, given_up_at=None) & (Q(next_attempt_at=None) | Q(next_attempt_at__lte=now))
    return come & Q(~Exists(under_way))


def claim(notification_id: int) -> Sending | None:
    """Take one due notification for an attempt, in a short transaction of its own: one attempt more, the row leased
    for LEASE, its message id set if it had none, an attempt row written. None when it is not due, or another
    worker holds it (PostgreSQL skips a row locked by another claim; on SQLite, which locks no rows, the update
    checks that nobody claimed it since it was read)."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(_due(now), pk=notification_id, attempts__lt=MAX_ATTEMPTS)
            .first()
        )
        if notification is None:
            return None
        number, message_id = notification.attempts + 1, notification.message_id or new_message_id()
        claimed = Notification.objects.filter(
            pk=notification.pk, attempts=notification.attempts, sent_at=None, given_up_at=None
        ).update(attempts=number, next_attempt_at=now + LEASE, message_id=message_id)
        if not claimed:
            return None
        notification.sendings.filter(outcome=AttemptOutcome.SENDING).update(
            outcome=AttemptOutcome.INTERRUPTED, finished_at=now
        )
        attempt = NotificationAttempt.objects.create(
            notification=notification, number=number, started_at=now, renewed_at=now
        )
    return Sending(
        notification.pk,
        attempt.pk,
        number,
        notification.channel,
        notification.address,
        notification.subject,
        notification.body,
        message_id,
    )


def attempt_delivery(notification_id: int) -> bool:
    """Send one notification if it is due: claimed and committed first, sent with no transaction open (no lock is
    held during the mail server's or the gateway's time), then its outcome written. A failure of the provider is
    recorded, never raised; whether the notification is sent is returned. Called outside any transaction."""
    sending = claim(notification_id)
    if sending is None:
        return Notification.objects.filter(pk=notification_id, sent_at__isnull=False).exists()
    return send(sending)


def send(sending: Sending) -> bool:
    """Hand a claimed notification to its provider, its lease kept while the provider answers, and record the
    outcome; whether it left."""
    try:
        with lease_kept(sending):
            answer = transmit(sending.channel, sending.address, sending.subject, sending.body, sending.message_id)
    # Any failure of a mail server or gateway is recorded, not raised. Its technical text is shown to the office's
    # officers and the administration only (the undelivered notifications page), never to the recipient.
    except Exception as error:
        record_failure(sending, str(error) or type(error).__name__)
        return False
    record_success(sending, answer)
    return True


@contextmanager
def lease_kept(sending: Sending) -> Iterator[None]:
    """Renew the attempt's lease every RENEW_EVERY until the block ends, from a thread with its own database
    connection: a send slower than LEASE is not taken for a dead worker's and sent again. A renewal that fails (the
    database away) stops renewing: the lease then runs out, as it would for a worker that died."""
    done = threading.Event()

    def renew() -> None:
        try:
            while not done.wait(RENEW_EVERY.total_seconds()):
                now = timezone.now()
                NotificationAttempt.objects.filter(pk=sending.attempt_id, outcome=AttemptOutcome.SENDING).update(
                    renewed_at=now
                )
                Notification.objects.filter(pk=sending.notification_id, attempts=sending.number, sent_at=None).update(
                    next_attempt_at=now + LEASE
                )
        except Exception:  # any database failure: the lease runs out, and the sweep takes the row up
            logger.exception("Could not renew the lease of notification %s.", sending.notification_id)
        finally:
            connections.close_all()  # this thread's own connections

    renewer = threading.Thread(target=renew, name=f"lease-{sending.notification_id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


def record_success(sending: Sending, answer: str) -> None:
    """The provider took the message: the attempt and the notification say so (even when a later attempt had taken
    the row over, the message left)."""
    now = timezone.now()
    with transaction.atomic():
        NotificationAttempt.objects.filter(pk=sending.attempt_id).update(
            outcome=AttemptOutcome.SENT, finished_at=now, answer=machine_text(answer, 300), error=""
        )
        Notification.objects.filter(pk=sending.notification_id, sent_at=None).update(
            sent_at=now, next_attempt_at=None, given_up_at=None, error=""
        )


def record_failure(sending: Sending, error: str) -> None:
    """The provider refused or did not answer: the next attempt is due after its delay, or, after the last, the
    notification is given up. A row another attempt took over meanwhile (a lease run out) is left to that one."""
    now, error = timezone.now(), machine_text(error, 300)
    with transaction.atomic():
        NotificationAttempt.objects.filter(pk=sending.attempt_id).update(
            outcome=AttemptOutcome.FAILED, finished_at=now, error=error
        )
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=sending.notification_id, attempts=sending.number, sent_at=None, given_up_at=None)
            .first()
        )
        if notification is None:
            return
        notification.error = error
        if sending.number < MAX_ATTEMPTS:
            notification.next_attempt_at = now + RETRY_DELAYS[sending.number - 1]
            notification.save(update_fields=["error", "next_attempt_at"])
        else:
            _give_up(notification, now)


def _give_up(notification: Notification, now: datetime) -> None:
    """No attempt is left: the state is recorded, the operators alerted, the audit trail told (at the notification's
    office, else nationally)."""
    notification.given_up_at, notification.next_attempt_at = now, None
    notification.save(update_fields=["error", "given_up_at", "next_attempt_at"])
    alerts.error(
        "Notification %s (%s by %s to user %s) given up after %s attempts: %s",
        notification.pk,
        notification.kind,
        notification.channel,
        notification.user_id,
        notification.attempts,
        notification.error,
    )
    record(
        actor=None,
        action="notification.given_up",
        target=notification,
        unit=notification.unit,
        national=notification.unit_id is None,
        reason=notification.error,
        details={"attempts": notification.attempts, "channel": notification.channel},
    )


def _give_up_interrupted_last_attempts(now: datetime) -> None:
    """Rows whose last attempt's worker died (its lease ran out, no attempt left) are given up: the message may
    have left, and a person decides whether to send it again."""
    with transaction.atomic():
        stranded = Notification.objects.select_for_update(skip_locked=True).filter(
            _due(now), attempts__gte=MAX_ATTEMPTS
        )
        for notification in stranded:
            notification.sendings.filter(outcome=AttemptOutcome.SENDING).update(
                outcome=AttemptOutcome.INTERRUPTED, finished_at=now
            )
            notification.error = str(LAST_ATTEMPT_INTERRUPTED)
            _give_up(notification, now)


def send_due_notifications() -> int:
    """The outbox's sweep, every minute (the task of that name, `manage.py retry_notifications`): sends every unsent
    notification that is due (new, to be retried, or left by a worker that died), the oldest due first; returns how
    many this sweep sent. Two sweeps at once never send one row twice (claim)."""
    now = timezone.now()
    _give_up_interrupted_last_attempts(now)
    due = Notification.objects.filter(_due(now), attempts__lt=MAX_ATTEMPTS).order_by("next_attempt_at", "pk")
    sent = 0
    until = time.monotonic() + SWEEP_TIME.total_seconds()
    for pk in list(due.values_list("pk", flat=True)[:SWEEP_BATCH]):
        if time.monotonic() > until:
            break
        try:
            sending = claim(pk)
            # Counted are the rows this sweep sent: a row another sweep or task claimed meanwhile is theirs.
            sent += sending is not None and send(sending)
        except Exception:  # one row that cannot be recorded never holds back the rows after it
            logger.exception("The sweep could not send notification %s: the next sweep tries again.", pk)
    return sent


def resend(notification: Notification, *, by: "User") -> Notification:
    """A new round of attempts for a notification not delivered (given up, or still failing), asked by a person of
    its office or the national administration (the page checks their permission); the same message id is kept. The
    audit trail keeps who and when."""
    now = timezone.now()
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.sent_at is not None:
            raise ValidationError(ALREADY_SENT)
        if (
            locked.sendings.filter(outcome=AttemptOutcome.SENDING).exists()
            and locked.next_attempt_at
            and (locked.next_attempt_at > now)
        ):
            raise ValidationError(ATTEMPT_UNDER_WAY)
        previous_attempts = locked.attempts
        locked.attempts, locked.given_up_at, locked.next_attempt_at = 0, None, now
        locked.save(update_fields=["attempts", "given_up_at", "next_attempt_at"])
        record(
            actor=by,
            action="notification.resent",
            target=locked,
            unit=locked.unit,
            national=locked.unit_id is None,
            details={"previous_attempts": previous_attempts, "channel": locked.channel},
        )
        enqueue_on_commit(deliver, locked.pk)
    return locked
