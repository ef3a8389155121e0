"""Reads of the notifications' state, unscoped: the pages above scope them (`access.scoping.visible_to`, through the
model's `scope_places`)."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Notification

# A notification still unsent this long after it was written is late, even before any attempt failed (a worker
# down, a queue lost): the sweep runs every minute.
LATE_AFTER = timedelta(minutes=10)


def undelivered(now: datetime | None = None) -> QuerySet[Notification]:
    """Notifications not delivered: given up, or unsent with a failed attempt, or unsent and late; newest first."""
    late_since = (now or timezone.now()) - LATE_AFTER
    return Notification.objects.filter(sent_at=None).filter(
        Q(given_up_at__isnull=False) | ~Q(error="") | Q(created_at__lt=late_since)
    )
