from .models import AuditEvent


def record(*, actor, action, target, reason="", territory=None, details=None):
    """The one audit call: every transition and every read of personal data goes through it."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        territory=territory,
        reason=reason,
        details=details or {},
    )
