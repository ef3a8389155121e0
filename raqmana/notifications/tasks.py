from django.tasks import task
from django.utils import timezone


@task
def deliver(notification_id):
    """Send one notification; its row keeps when it left, or the error that stopped it."""
    from .models import Notification
    from .services import transmit

    notification = Notification.objects.get(pk=notification_id)
    if notification.sent_at:  # a task delivered twice by the queue sends once
        return True
    try:
        transmit(notification.channel, notification.address, notification.subject, notification.body)
    except Exception as error:  # any failure of a mail server or gateway is recorded, not raised
        notification.error = str(error)[:300]
        notification.save(update_fields=["error"])
        return False
    notification.sent_at = timezone.now()
    notification.save(update_fields=["sent_at"])
    return True
