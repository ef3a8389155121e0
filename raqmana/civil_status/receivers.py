from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.dispatch import receiver

from raqmana.kernel.personal_cache import people_changed, person_changed

from .models import Establishment

# Whether a person files pre-declarations (permissions.files_pre_declarations) is kept between their requests
# (kernel/personal_cache.py): read again after any change of an establishment's members or of its being active,
# wherever it is made (the admin site, a command).


@receiver(post_save, sender=Establishment, dispatch_uid="civil_status.establishment_changed")
@receiver(pre_delete, sender=Establishment, dispatch_uid="civil_status.establishment_deleted")
def establishment_changed(sender, instance, **kwargs) -> None:
    """Saved, or about to be deleted (its members' rows then go without a word of m2m_changed)."""
    people_changed(instance.members.values_list("pk", flat=True))


@receiver(m2m_changed, sender=Establishment.members.through, dispatch_uid="civil_status.members_changed")
def members_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # instance is a user, whose establishments changed
        person_changed(instance.pk)
        return
    people_changed(pk_set if action != "pre_clear" else instance.members.values_list("pk", flat=True))
