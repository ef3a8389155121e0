from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.utils import translation

from raqmana.territories.models import AdministrativeUnit

from .models import AuditEvent


def record(*, actor, action, target, reason="", territory=None, office=None, details=None, actor_place=None):
    """The one audit call: every transition and every read of personal data goes through it.

    The target's description and the reason are written in Arabic, the language of the register, whatever
    the language of the page that caused them (a reason may be a translatable label). `actor_place` (a
    territory, or an office) says where the actor works when the target is elsewhere.
    """
    actor_office = actor_place if isinstance(actor_place, AdministrativeUnit) else None
    with translation.override(settings.LANGUAGE_CODE):
        # A target that holds personal data names itself without it (`audit_label`): the trail is read by
        # supervisors and agents of other services, who see that it was read, not what it says.
        target_repr = str(getattr(target, "audit_label", target))[:300]
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


_reads_of_this_write = ContextVar("reads_of_this_write", default=None)


def record_read(**event):
    """A read of personal data made while deciding a write (comparing with another act, say): logged even when
    the write is refused and its transaction rolled back, if the service is wrapped in `reads_outlast_refusals`."""
    reads = _reads_of_this_write.get()
    if reads is None:
        return record(**event)
    reads.append(event)
    return None


def reads_outlast_refusals(service):
    """Wrap a transactional service (outside its `transaction.atomic`): the reads it made are recorded once its
    transaction has ended, committed or rolled back (Law 09-08: a read happened either way)."""

    @wraps(service)
    def wrapper(*args, **kwargs):
        token = _reads_of_this_write.set([])
        try:
            return service(*args, **kwargs)
        finally:
            reads = _reads_of_this_write.get()
            _reads_of_this_write.reset(token)
            for event in reads:
                record(**event)

    return wrapper
