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


# Tests, registered by the apps that know them, of whether a person acts for an organisation without holding a
# role (a member of an establishment that files pre-declarations): such a person is an agent too.
MEMBERSHIP_TESTS: list[Callable[[Any], bool]] = []


def acts_for_an_organisation(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """Register `test(user) -> bool`: whether the user acts for an organisation the registering app knows."""
    MEMBERSHIP_TESTS.append(test)
    return test
