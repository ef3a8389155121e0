"""The permissions every app declares, in its own `permissions.py`, read once when Django starts."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

PERMISSIONS: dict[str, "Permission"] = {}


@dataclass(frozen=True)
class Permission:
    """What a role may do somewhere: `code` is "app.subject.verb" ("civil_status.act.sign")."""

    code: str
    label: str | Promise
    # What a person refused it is told ("Only this office's officer signs its acts."); a general sentence if empty.
    refusal: str | Promise = ""
    # Whether superusers hold it without a role. Not for what the law reserves to a unit's own staff (drafting and
    # signing acts, issuing documents): a superuser administers the platform and does not act in the register.
    superusers: bool = True


def declare(*permissions: "Permission") -> tuple["Permission", ...]:
    """Register an app's permissions; a code declared twice is a programming error."""
    for permission in permissions:
        if permission.code in PERMISSIONS:
            raise ValueError(f"Permission {permission.code} is declared twice.")
        PERMISSIONS[permission.code] = permission
    return permissions


@dataclass(frozen=True)
class Organisation:
    """A body a person acts for without holding a role (a declaring establishment: a maternity, a hospital), known to
    the app that registered it. Its members are agents, and `code` is an audience pages open to
    (`access.audiences.open_to`)."""

    code: str
    test: Callable[[Any], bool]  # whether a person is an active member
    refusal: str | Promise  # what someone who is not one is told


ORGANISATIONS: dict[str, Organisation] = {}


def acts_for_an_organisation(
    code: str, refusal: str | Promise
) -> Callable[[Callable[[Any], bool]], Callable[[Any], bool]]:
    """Register the decorated `test(user) -> bool` under `code`: whether the user acts for an organisation the
    registering app knows."""

    def register(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
        if code in ORGANISATIONS or code in PERMISSIONS:
            raise ValueError(f"The audience {code} is declared twice.")
        ORGANISATIONS[code] = Organisation(code, test, refusal)
        return test

    return register
