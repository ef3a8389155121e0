from datetime import timedelta

from django.tasks import task

from raqmana.kernel import periodic


@task
def deliver(notification_id: int) -> bool:
    """Send one notification now, if it is still due (services.attempt_delivery); the sweep sends it otherwise."""
    from .services import attempt_delivery

    return attempt_delivery(notification_id)


@task
def send_due_notifications() -> int:
    """The outbox's sweep: every unsent notification that is due (services.send_due_notifications)."""
    from .services import send_due_notifications as sweep

    return sweep()


periodic.every(timedelta(minutes=1), send_due_notifications)
