"""Telling people what happened to their requests: by email when they have one, by SMS when they have a phone
and an SMS provider is configured. Messages are queued after commit and sent by the worker."""

from django.core.mail import send_mail
from django.db import transaction

from .models import Channel, Notification
from .sms import sms_provider
from .tasks import deliver


def notify(user, subject, body):
    """Queue `subject` and `body` (already in the user's language) on every channel the user can be reached by."""
    addresses = []
    if user.email:
        addresses.append((Channel.EMAIL, user.email))
    if user.phone and sms_provider() is not None:
        addresses.append((Channel.SMS, str(user.phone)))
    for channel, address in addresses:
        notification = Notification.objects.create(
            user=user, channel=channel, address=address, subject=subject, body=body
        )
        transaction.on_commit(lambda pk=notification.pk: deliver.enqueue(pk))


def transmit(channel, address, subject, body):
    """Hand one message to the mail server or the SMS gateway now, keeping no copy: the worker's last step, and the
    way one-time codes leave (a copy kept would be a readable code at rest)."""
    if channel == Channel.EMAIL:
        send_mail(subject, body, None, [address])
    else:
        sms_provider().send(address, f"{subject}\n{body}")
