from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from raqmana.access.signals import role_granted
from raqmana.kernel.personal_cache import people_changed, person_changed
from raqmana.kernel.tasks import enqueue_on_commit

from .models import Enterprise, EnterpriseRepresentative, User
from .tasks import notify_role_granted


@receiver(role_granted, dispatch_uid="accounts.tell_of_a_granted_role")
def tell_of_a_granted_role(sender, assignment, **kwargs) -> None:
    """The person learns of their new role by email (and, if they have no authenticator yet, how to enrol one), once
    the grant is committed. A queue that refuses the task is logged; the administrator can then give a new agent
    their enrolment code (admin action, `manage.py issue_enrolment_code`)."""
    enqueue_on_commit(notify_role_granted, assignment.pk)


# What is kept of a person between requests (kernel/personal_cache.py) is read again after any save of what it holds,
# wherever the save comes from (a service, the admin site, a command): hence signals rather than calls in services.


@receiver(post_save, sender=User, dispatch_uid="accounts.account_changed")
@receiver(post_delete, sender=User, dispatch_uid="accounts.account_deleted")
def account_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """Saved, or deleted (its sessions, which Django keeps, then find no account). A new name shows on the homes of
    the people they invited to represent an enterprise, which name the inviter."""
    person_changed(instance.pk)
    if update_fields is None or "full_name" in update_fields:
        invited = EnterpriseRepresentative.objects.pending().filter(added_by=instance.pk)
        people_changed(invited.values_list("user_id", flat=True))


@receiver(post_save, sender=EnterpriseRepresentative, dispatch_uid="accounts.representation_changed")
@receiver(post_delete, sender=EnterpriseRepresentative, dispatch_uid="accounts.representation_deleted")
def representation_changed(sender, instance, **kwargs) -> None:
    person_changed(instance.user_id)


@receiver(post_save, sender=Enterprise, dispatch_uid="accounts.enterprise_changed")
@receiver(pre_delete, sender=Enterprise, dispatch_uid="accounts.enterprise_deleted")
def enterprise_changed(sender, instance, **kwargs) -> None:
    """Its representatives' homes show its name."""
    people_changed(EnterpriseRepresentative.objects.filter(enterprise=instance).values_list("user_id", flat=True))
