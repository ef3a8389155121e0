from django.dispatch import receiver

from raqmana.access.signals import role_granted

from .tasks import notify_role_granted


@receiver(role_granted, dispatch_uid="accounts.tell_of_a_granted_role")
def tell_of_a_granted_role(sender, assignment, **kwargs) -> None:
    """The person learns of their new role by email (and, if they have no authenticator yet, how to enrol one)."""
    notify_role_granted.enqueue(assignment.pk)
