from django.dispatch import receiver

from raqmana.access.signals import role_granted
from raqmana.kernel.tasks import enqueue_on_commit

from .tasks import notify_role_granted


@receiver(role_granted, dispatch_uid="accounts.tell_of_a_granted_role")
def tell_of_a_granted_role(sender, assignment, **kwargs) -> None:
    """The person learns of their new role by email (and, if they have no authenticator yet, how to enrol one), once
    the grant is committed. A queue that refuses the task is logged; the administrator can then give a new agent
    their enrolment code (admin action, `manage.py issue_enrolment_code`)."""
    enqueue_on_commit(notify_role_granted, assignment.pk)
