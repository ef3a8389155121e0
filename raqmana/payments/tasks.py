from django.tasks import task


@task
def send_refund(refund_id):
    """Ask the provider for a refund decided and committed; each attempt is recorded (services.
    ask_provider_for_refund)."""
    from .services import ask_provider_for_refund

    return ask_provider_for_refund(refund_id)
