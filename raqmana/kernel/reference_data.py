"""Reference data that changes about once a year (territories, offices, holidays): what is worked out from it is
kept in the cache under a version of each set of data, and answers carry an ETag naming that version.

A change of the data (a save in the admin, a load command) draws a new version, at once and again once its
transaction committed (a read made in between cannot leave the old data under the new version): every entry of the
old version is then simply never read again and expires. With a cache the processes share (Redis in production),
a change made in one process or by a command holds in all of them at once; with the local-memory cache of
development, each process keeps its own entries up to REFERENCE_CACHE_SECONDS.
"""

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import get_language

# How long an entry is kept, and how long a browser or proxy may reuse an answer without asking again.
REFERENCE_CACHE_SECONDS = 3600


def _version_key(data: str) -> str:
    return f"reference:{data}:version"


def version(data: str) -> str:
    """The current version of the set of reference data `data` ("territories", "holidays")."""
    current = cache.get(_version_key(data))
    if current is None:
        cache.add(_version_key(data), uuid.uuid4().hex[:12], timeout=None)
        current = cache.get(_version_key(data))
    return current


def _draw_new_version(data: str) -> None:
    cache.set(_version_key(data), uuid.uuid4().hex[:12], timeout=None)


def changed(data: str) -> None:
    """The set `data` changed (or is changing in the current transaction): what was cached of it is read no more."""
    _draw_new_version(data)
    transaction.on_commit(lambda: _draw_new_version(data))


def cached[T](data: str, name: str, compute: Callable[[], T]) -> T:
    """`compute()`, worked out once per version of `data`; `name` tells apart what is cached of one set."""
    # What the cache gives back is what compute() returned, now or for an earlier request of this version.
    return cast(
        T, cache.get_or_set(f"reference:{data}:{version(data)}:{name}", compute, timeout=REFERENCE_CACHE_SECONDS)
    )


def conditional(data: str, *, per_visitor: bool = False) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """A view whose answer depends on the set `data` alone: tagged with its version (ETag), answered 304 Not Modified
    while the version stands, reusable for REFERENCE_CACHE_SECONDS by any cache. `per_visitor`: a page, whose menu,
    language and form tokens are the visitor's own: only the visitor's browser keeps it, and checks it each time."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            tag = f"{data}-{version(data)}"
            if per_visitor:
                visitor = (
                    request.user.pk,
                    get_language(),
                    request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
                    request.headers.get("HX-Request", ""),
                    request.get_full_path(),
                )
                tag += "-" + hashlib.sha256(repr(visitor).encode()).hexdigest()[:16]
            etag = quote_etag(tag)
            response = get_conditional_response(request, etag=etag)
            if response is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200:
                    return response
            response.headers["ETag"] = etag
            if per_visitor:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=REFERENCE_CACHE_SECONDS)
            return response

        return answer

    return decorator
