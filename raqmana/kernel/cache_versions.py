"""Versions under which what is worked out of some data is kept in the shared cache (reference data, what is known of
a signed-in person): a change of the data draws a new version, at once and again once its transaction committed, so
that a read made in between cannot leave the old data under the new version. Every entry of an old version is then
simply never read again, and expires."""

import uuid
from collections.abc import Callable
from functools import partial

from django.core.cache import cache, caches
from django.db import transaction

Drawn = Callable[[str], None]
_MISSING = object()


def current(key: str, *, timeout: int | None = None) -> str:
    """The version kept under `key`, drawn if there is none yet (or it expired)."""
    found = cache.get(key)
    if found is None:
        drawn = uuid.uuid4().hex[:12]
        cache.add(key, drawn, timeout=timeout)
        found = cache.get(key)
        return drawn if found is None else found
    return found


def _draw(key: str, timeout: int | None, then: Drawn | None) -> None:
    drawn = uuid.uuid4().hex[:12]
    cache.set(key, drawn, timeout=timeout)
    if then is not None:
        then(drawn)


def changed(key: str, *, timeout: int | None = None, then: Drawn | None = None) -> None:
    """The data versioned under `key` changed (or is changing in the current transaction): a new version now, and
    another once the transaction committed; `then` is given each version drawn."""
    _draw(key, timeout, then)
    transaction.on_commit(partial(_draw, key, timeout, then))


def changing(key: str) -> bool:
    """Whether the current transaction changed the data versioned under `key`: what is worked out of it now must not
    be kept, since a rollback draws no version and would leave it under the one current."""
    return any(
        isinstance(callback, partial) and callback.func is _draw and callback.args[0] == key
        for _savepoints, callback, _robust in transaction.get_connection().run_on_commit
    )


def kept[T](key: str, compute: Callable[[], T], *, version_key: str, in_process: str, timeout: int) -> T:
    """`compute()`, kept under `key` (which names the version kept under `version_key`) in the process's memory (the
    cache `in_process`) and in the shared cache: a request unpickles it from memory, another process reads it from
    the shared cache. Not kept while the current transaction changes the data (`changing`)."""
    if changing(version_key):
        return compute()
    local = caches[in_process]
    value = local.get(key, _MISSING)
    if value is _MISSING:
        value = cache.get_or_set(key, compute, timeout=timeout)
        local.set(key, value, timeout=timeout)
    return value
