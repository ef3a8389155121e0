"""What each request of a signed-in person needs to know of them (their account, their roles, the organisations they
act for, the enterprises they represent), worked out once and kept under a version of the person, rather than read
from the database on every request.

Any change of these (a save of the account, a role granted or revoked, a membership) draws a new version of the
person (`person_changed`, through `cache_versions`). A request reads the person's version from the shared cache once
(`hold` puts it on the user object the request is given): a revoked role, a changed password or a deactivated account
holds from the person's next request on, in every process. What a version holds is kept in the process's memory (the
"people" cache) and in the shared cache, so that a request costs one round trip to the shared cache, for the version.
"""

import itertools
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from . import cache_versions

# How long what is known of a person is kept: an entry of an old version is never read again, this bounds memory.
PERSON_CACHE_SECONDS = 3600
# How long a person's version lives without a change; one drawn anew after that only makes their next request read
# the database.
VERSION_SECONDS = 24 * 3600

_HELD = "_raqmana_person_version"

# Counts the changes of a person made in this process: a user object that holds a version from before the last one
# reads it again (the object a service was given may be the one the request goes on using).
_changes = itertools.count(1)
_last_change = 0


class Person(Protocol):
    @property
    def pk(self) -> Any: ...


def _version_key(person_id: Any) -> str:
    return f"person:{person_id}:version"


def read_version(person_id: Any) -> str:
    """The person's current version, from the shared cache."""
    return cache_versions.current(_version_key(person_id), timeout=VERSION_SECONDS)


def on_person[T](person: Person, attribute: str, compute: Callable[[], T]) -> T:
    """`compute()`, put on the user object `person` under `attribute` (through any lazy wrapper), and worked out again
    after a change of a person in this process (the object a service was given may be the one a request goes on
    using)."""
    held: tuple[int, T] | None = getattr(person, attribute, None)
    if held is None or held[0] != _last_change:
        held = (_last_change, compute())
        setattr(person, attribute, held)
    return held[1]


def hold(person: Person, version: str) -> None:
    """`person` (the user object of a request) goes on using `version` until this process changes a person."""
    setattr(person, _HELD, (_last_change, version))


def version_of(person: Person) -> str:
    """The version `person` holds, read from the shared cache the first time (and after a change in this process)."""
    return on_person(person, _HELD, lambda: read_version(person.pk))


def remembered[T](person_id: Any, version: str, name: str, compute: Callable[[], T]) -> T:
    """`compute()`, worked out once per version of the person; `name` tells apart what is kept of them."""
    key = f"person:{person_id}:{version}:{name}"
    return cache_versions.kept(
        key, compute, version_key=_version_key(person_id), in_process="people", timeout=PERSON_CACHE_SECONDS
    )


def remembered_for[T](person: Person, name: str, compute: Callable[[], T]) -> T:
    """`remembered` for the version `person` holds."""
    return remembered(person.pk, version_of(person), name, compute)


def held_for[T](person: Person, name: str, compute: Callable[[], T]) -> T:
    """`remembered_for`, and put on the user object as well (`on_person`): for what a request asks many times (the
    menu, the page and the second-factor check each ask the person's roles), unpickled once."""
    return on_person(person, f"_raqmana_{name}", lambda: remembered_for(person, name, compute))


def changing(person: Person) -> bool:
    """Whether the current transaction changed something known of `person`: what is worked out of them now is not
    kept (`cache_versions.changing`)."""
    return cache_versions.changing(_version_key(person.pk))


def person_changed(person_id: Any) -> None:
    """Something known of the person changed (or is changing in the current transaction): what was kept of them is
    read no more, from their next request on, in every process."""
    global _last_change
    _last_change = next(_changes)
    cache_versions.changed(_version_key(person_id), timeout=VERSION_SECONDS)


def people_changed(person_ids: Iterable[Any]) -> None:
    """`person_changed` for each of `person_ids` (the members of an organisation that changed, say)."""
    for person_id in person_ids:
        person_changed(person_id)
