"""The actions every app declares, in its own `audit_actions.py`, read once when Django starts (`AuditConfig.ready`).

An event is recorded only for a declared action (`services.record` refuses any other), so each action of the trail
has a label for the activity pages and says whether it happens somewhere.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import AuditEvent

ACTIONS: dict[str, "Action"] = {}


@dataclass(frozen=True)
class Action:
    """What an event records: `code` is "subject.verb" ("act.signed"), `label` what the activity pages show.

    `placeless` marks an event about a person's own account (sign-in, second factor, contact proof, sign-up):
    it happens nowhere in particular. Every other event is placed (a unit, a territory, or the whole country).

    `shows`, when the event's target does not say what it was about (a search's target is the searcher), gives
    what the activity pages show instead, from the event's details, in the active language; `explains`, when the
    reason alone is not the whole of it, the reason they show (a copy's requester: their relation, a declared
    label, and their identity document, in the details).
    """

    code: str
    label: str | Promise
    placeless: bool = False
    shows: "Callable[[AuditEvent], str] | None" = None
    explains: "Callable[[AuditEvent], str] | None" = None


def declare(*actions: Action) -> tuple[Action, ...]:
    """Register an app's actions; an action declared twice is a programming error."""
    for action in actions:
        if action.code in ACTIONS:
            raise ValueError(f"Audit action {action.code} is declared twice.")
        ACTIONS[action.code] = action
    return actions


def declared(code: str) -> Action:
    """The declaration of `code`; ValueError when no app declares it (a programming error)."""
    try:
        return ACTIONS[code]
    except KeyError:
        raise ValueError(f"Audit action {code} is not declared (declare it in its app's audit_actions.py).") from None
