"""Telling people what happened to their requests: by email when they have one, by SMS when they have a phone
and an SMS provider is configured. Messages are queued after commit and sent by the worker."""

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
