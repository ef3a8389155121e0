from django.conf import settings
from django.utils import translation

from raqmana.territories.models import CivilStatusOffice

from .models import AuditEvent


def record(*, actor, action, target, reason="", territory=None, office=None, details=None, actor_place=None):
    """The one audit call: every transition and every read of personal data goes through it.

    The target's description and the reason are written in Arabic, the language of the register, whatever
    the language of the page that caused them (a reason may be a translatable label). `actor_place` (a
    territory, or an office) says where the actor works when the target is elsewhere.
    """
    actor_office = actor_place if isinstance(actor_place, CivilStatusOffice) else None
    with translation.override(settings.LANGUAGE_CODE):
        target_repr = str(target)[:300]
        reason = str(reason)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk),
        target_repr=target_repr,
        territory=office.territory if office is not None else territory,
        office=office,
        actor_territory=actor_office.territory if actor_office is not None else actor_place,
        actor_office=actor_office,
        reason=reason,
        details=details or {},
    )
