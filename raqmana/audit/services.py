from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

from raqmana.territories.models import AdministrativeUnit, Territory

from . import chain
from .models import REASON_IS_LABEL, AuditEvent
from .registry import declared

if TYPE_CHECKING:  # the project's user model, for its type only: audit does not import accounts
    from django.contrib.auth.models import AnonymousUser

    from raqmana.accounts.models import User


def record(
    *,
    actor: "User | AnonymousUser | None",
    action: str,
    target: models.Model,
    reason: str | Promise = "",
    territory: Territory | None = None,
    unit: AdministrativeUnit | None = None,
    details: dict[str, Any] | None = None,
    actor_place: Territory | AdministrativeUnit | None = None,
    national: bool = False,
) -> AuditEvent:
    """The one audit call: every transition and every read of personal data goes through it.

    Every event says where it happened: at `unit` (its territory is filled in), else in `territory`, else where
    the actor works (`actor_place`, a territory or a unit, also given when the target is elsewhere, so that the
    actor's supervisors see the event too), else, with `national`, in the whole country (a national role, a
    search by someone who acts nationally). Only an action declared `placeless` (a person's own account) has no
    place. An undeclared action, or a placed one given no place, is a programming error (ValueError).

    The target's description is written in Arabic, the language of the register, whatever the language of the
    page that caused it; the activity pages show the target as it now is, in the reader's language, while it
    exists (`selectors.shown_events`). A reason that is a declared label (a lazy translation) is kept as its
    English source text, marked in the details (`REASON_IS_LABEL`), and shown in the reader's language
    (`AuditEvent.reason_shown`); a reason typed by a person is kept as typed. The event is chained to the one
    before it (`chain.append`).
    """
    declaration = declared(action)
    # Places by their ids: the hash reads only those, and a unit's territory need not be loaded to be named.
    actor_unit: AdministrativeUnit | None = None
    actor_territory_id: int | None = None
    if isinstance(actor_place, AdministrativeUnit):
        actor_unit, actor_territory_id = actor_place, actor_place.territory_id
    elif actor_place is not None:
        actor_territory_id = actor_place.pk
    territory_id = territory.pk if territory is not None else None
    if unit is None and territory is None:
        unit, territory_id = actor_unit, actor_territory_id
    if unit is not None:
        territory_id = unit.territory_id
    if territory_id is None and not (national or declaration.placeless):
        raise ValueError(f"Audit action {action} happens somewhere: give its unit, territory, or national=True.")
    with translation.override(settings.LANGUAGE_CODE):
        # A target that holds personal data names itself without it (`audit_label`): the trail is read by
        # supervisors and agents of other services, who see that it was read, not what it says.
        target_repr = str(getattr(target, "audit_label", target))[:300]
    details = dict(details or {})
    if isinstance(reason, Promise):
        details[REASON_IS_LABEL] = True
    with translation.override("en"):  # a label's source text: no catalogue for English, so its msgid
        reason = str(reason)
    return chain.append(
        AuditEvent(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            target_type=target._meta.label,
            target_id=str(target.pk),
            target_repr=target_repr,
            territory_id=territory_id,
            unit=unit,
            actor_territory_id=actor_territory_id,
            actor_unit=actor_unit,
            reason=reason,
            details=chain.as_stored(details),
        )
    )


class Event(TypedDict):
    """The arguments of `record`, for an event kept until its write has ended (`record_read`)."""

    actor: "User | AnonymousUser | None"
    action: str
    target: models.Model
    reason: NotRequired[str | Promise]
    territory: NotRequired[Territory | None]
    unit: NotRequired[AdministrativeUnit | None]
    details: NotRequired[dict[str, Any] | None]
    actor_place: NotRequired[Territory | AdministrativeUnit | None]
    national: NotRequired[bool]


_reads_of_this_write: ContextVar[list[Event] | None] = ContextVar("reads_of_this_write", default=None)


def record_read(**event: Unpack[Event]) -> AuditEvent | None:
    """A read of personal data made while deciding a write (comparing with another act, say): logged even when
    the write is refused and its transaction rolled back, if the service is wrapped in `reads_outlast_refusals`."""
    reads = _reads_of_this_write.get()
    if reads is None:
        return record(**event)
    declared(event["action"])  # refused now, where the mistake is, rather than after the write
    reads.append(event)
    return None


def reads_outlast_refusals[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Wrap a transactional service (outside its `transaction.atomic`): the reads it made are recorded once its
    transaction has ended, committed or rolled back (Law 09-08: a read happened either way), each chained like
    any other event."""

    @wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        reads: list[Event] = []
        token = _reads_of_this_write.set(reads)
        try:
            return service(*args, **kwargs)
        finally:
            _reads_of_this_write.reset(token)
            for event in reads:
                record(**event)

    return wrapper
