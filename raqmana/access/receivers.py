from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from raqmana.kernel.personal_cache import person_changed

from .models import RoleAssignment


@receiver(post_save, sender=RoleAssignment, dispatch_uid="access.assignment_changed")
@receiver(post_delete, sender=RoleAssignment, dispatch_uid="access.assignment_deleted")
def assignment_changed(sender, instance, **kwargs) -> None:
    """The holder's roles, kept between their requests (kernel/personal_cache.py), are read again after any save of
    an assignment: the services' grants and revocations, and the admin site's."""
    person_changed(instance.user_id)
