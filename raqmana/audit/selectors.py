"""Audit events as the activity pages show them: in the reader's language, whatever the language they were
recorded in."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from .models import AuditEvent
from .registry import ACTIONS


@dataclass(frozen=True)
class ShownEvent:
    event: AuditEvent
    # What the event was about, in the active language: the target as it now is while it exists, what its action
    # shows instead (`Action.shows`: a search's criteria), else the description stored when it was recorded.
    what: str
    # Why: a declared reason in the active language (`AuditEvent.reason_shown`, or its action's `explains`), a
    # reason typed by a person as typed.
    why: str


def shown_events(events: Iterable[AuditEvent]) -> list[ShownEvent]:
    """The events, each with what it was about in the active language; the targets are read once per kind."""
    events = list(events)
    targets = _targets(events)
    return [
        ShownEvent(event, _what(event, targets.get((event.target_type, event.target_id))), _why(event))
        for event in events
    ]


def _what(event: AuditEvent, target: models.Model | None) -> str:
    action = ACTIONS.get(event.action)
    if action is not None and action.shows is not None:
        return action.shows(event)
    if target is None:
        return event.target_repr
    # Named as when recorded (`services.record`): without the personal data a target holds.
    return str(getattr(target, "audit_label", target))


def _why(event: AuditEvent) -> str:
    action = ACTIONS.get(event.action)
    if action is not None and action.explains is not None and event.reason_is_label:
        return action.explains(event)
    return event.reason_shown


def _targets(events: list[AuditEvent]) -> dict[tuple[str, str], models.Model]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        action = ACTIONS.get(event.action)
        if action is None or action.shows is None:
            wanted[event.target_type].add(event.target_id)
    found: dict[tuple[str, str], models.Model] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # a model since removed: its events keep their stored description
            continue
        pks = []
        for target_id in ids:
            try:
                pks.append(model._meta.pk.to_python(target_id))
            except ValidationError:
                continue
        # A model whose audit label reads related rows names them (`audit_label_reads`), read with it.
        targets = model._default_manager.all()
        if reads := getattr(model, "audit_label_reads", ()):
            targets = targets.select_related(*reads)
        found.update(((label, str(pk)), target) for pk, target in targets.in_bulk(pks).items())
    return found
