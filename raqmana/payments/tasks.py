from datetime import timedelta

from django.tasks import task

from raqmana.kernel import periodic


@task
def send_refund(refund_id):
    """Ask the provider for a refund decided and committed; each attempt is recorded (services.
    ask_provider_for_refund)."""
    from .services import ask_provider_for_refund

    return ask_provider_for_refund(refund_id)


@task
def settle_pending_payments():
    """Ask the provider about the payments it has not confirmed, and settle or expire them (confirmations.
    settle_pending_payments); returns what it did."""
    from .confirmations import settle_pending_payments as sweep

    return sweep().as_dict()


@task
def resume_refunds():
    """Ask again for the refunds whose task was lost (services.resume_refunds); returns how many were asked."""
    from .services import resume_refunds as sweep

    return sweep()


periodic.every(timedelta(minutes=5), settle_pending_payments)
periodic.every(timedelta(minutes=5), resume_refunds)
