from django.tasks import task


@task
def deliver(notification_id):
    """Send one notification; its row keeps when it left, or the error that stopped it and when to try again."""
    from .services import attempt_delivery

    return attempt_delivery(notification_id)


@task
def retry_notifications():
    """The periodic sweep of failed notifications whose next attempt is due (services.retry_due_notifications)."""
    from .services import retry_due_notifications

    return retry_due_notifications()
