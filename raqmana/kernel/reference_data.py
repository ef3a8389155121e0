"""Reference data that changes about once a year (territories, offices, holidays): what is worked out from it is
kept in the cache under a version of each set of data, and answers carry an ETag naming that version.

A change of the data (a save in the admin, a load command) draws a new version (`cache_versions`). With a cache
the processes share (Redis in production), a change made in one process or by a command holds in all of them within
VERSION_REUSE_SECONDS; with the local-memory cache of development, each process keeps its own entries up to
REFERENCE_CACHE_SECONDS.

What is worked out is also kept in each process (the "local" cache, in memory): a request then makes at most one
round trip to the shared cache, for the version, and unpickles the rest in memory. An anonymous visitor's page that
depends on one set of data alone is kept whole per version, language and address (`anonymous_page`), its form token
put in afresh for each visitor.
"""

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import cache_versions, personal_cache
from .middleware import chosen_language

# How long an entry is kept, and how long a browser or proxy may reuse an answer without asking again.
REFERENCE_CACHE_SECONDS = 3600


def version_key(data: str) -> str:
    """Where the shared cache holds the version of the set `data`."""
    return f"reference:{data}:version"


# How long a process goes on using the version it last read: a change made in another process holds in this one
# that much later at most, and most requests ask the shared cache nothing (its round trip is most of an API answer).
VERSION_REUSE_SECONDS = 1.0
_versions_seen: dict[str, tuple[float, str]] = {}


def version(data: str) -> str:
    """The current version of the set of reference data `data` ("territories", "calendars")."""
    seen = _versions_seen.get(data)
    if seen and time.monotonic() - seen[0] < VERSION_REUSE_SECONDS:
        return seen[1]
    current = cache_versions.current(version_key(data))
    _versions_seen[data] = (time.monotonic(), current)
    return current


def forget_versions() -> None:
    """Read every version from the shared cache again (after the shared cache was emptied, as between tests)."""
    _versions_seen.clear()


def changed(data: str) -> None:
    """The set `data` changed (or is changing in the current transaction): what was cached of it is read no more."""
    cache_versions.changed(version_key(data), then=partial(_seen, data))


def changing(data: str) -> bool:
    """Whether the current transaction changed the set `data`: what is worked out of it now is not kept
    (`cache_versions.changing`)."""
    return cache_versions.changing(version_key(data))


def _seen(data: str, drawn: str) -> None:
    _versions_seen[data] = (time.monotonic(), drawn)


def cached[T](data: str | tuple[str, ...], name: str, compute: Callable[[], T]) -> T:
    """`compute()`, worked out once per version of `data` (a set, or the sets it is worked out of together); `name`
    tells apart what is cached of the same sets."""
    sets = (data,) if isinstance(data, str) else data
    if any(changing(each) for each in sets):
        return compute()
    key = "reference:" + ":".join(f"{each}:{version(each)}" for each in sets) + f":{name}"
    return cache_versions.kept(
        key, compute, version_key=version_key(sets[0]), in_process="local", timeout=REFERENCE_CACHE_SECONDS
    )


def conditional(data: str, *, per_visitor: bool = False) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """A view whose answer depends on the set `data` alone: tagged with its version (ETag), answered 304 Not Modified
    while the version stands, reusable for REFERENCE_CACHE_SECONDS by any cache, and kept whole by the process too
    (an API answer is otherwise validated against its schema again at each request). `per_visitor`: a page, whose menu,
    language and form tokens are the visitor's own: only the visitor's browser keeps it, and checks it each time."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if per_visitor:
                etag = _visitor_etag(data, request, request.user, get_language())
            else:
                etag = quote_etag(f"{data}-{version(data)}")
            response = get_conditional_response(request, etag=etag)
            if response is None:
                if per_visitor or request.method not in ("GET", "HEAD") or changing(data):
                    response = view(request, *args, **kwargs)
                else:  # the same for everyone, as any cache may keep it: kept whole
                    page = (data, version(data), request.get_full_path())
                    response = _kept(page, partial(view, request, *args, **kwargs))
                if response.status_code != 200:
                    return response
            response.headers["ETag"] = etag
            if per_visitor:
                patch_cache_control(response, private=True, no_cache=True)
                response.tagged_per_visitor = True  # type: ignore[attr-defined]
            else:
                patch_cache_control(response, public=True, max_age=REFERENCE_CACHE_SECONDS)
            return response

        return answer

    return decorator


def _visitor_etag(data: str, request: HttpRequest, user: Any, language: str) -> str:
    """The tag of a page of `data` as this visitor sees it: their name and menu (the person's version: a new name or
    role tags it anew), language and form-token cookie."""
    visitor = (
        (user.pk, personal_cache.version_of(user)) if user is not None and user.is_authenticated else None,
        language,
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.headers.get("HX-Request", ""),
        request.get_full_path(),
    )
    return quote_etag(f"{data}-{version(data)}-" + hashlib.sha256(repr(visitor).encode()).hexdigest()[:16])


# Stands for the visitor's form token (CSRF) in a kept page (one for every anonymous visitor, or a person's own,
# `personal_pages`); never a valid token. Its angle brackets are what no text of a page's own can hold as they are:
# the templates escape them in any text shown (a name, an address), which then never turns into the visitor's token.
FORM_TOKEN_PLACEHOLDER = "<raqmana-form-token>"


def form_token_placeholder(request: HttpRequest) -> dict[str, str]:
    """Context processor: a page rendered to be kept (`anonymous_page`, `personal_pages.personal_page`) holds the
    placeholder where a form token goes, replaced by the visitor's own each time it is served."""
    return {"csrf_token": mark_safe(FORM_TOKEN_PLACEHOLDER)} if getattr(request, "rendered_to_keep", False) else {}


@contextmanager
def rendering_to_keep(request: HttpRequest) -> Iterator[None]:
    """The view called within renders a page to keep, with the placeholder for form tokens; an error page rendered
    once the view raised has the visitor's own."""
    request.rendered_to_keep = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        request.rendered_to_keep = False  # type: ignore[attr-defined]


def _asks_as_anyone(request: HttpRequest) -> bool:
    """Whether the request, by what it sends, may be answered what any anonymous visitor is: a read, with no session
    (so no name, no menu of their own, no message waiting in it) and no message waiting in a cookie."""
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
    )


def _seen_as_anyone(request: HttpRequest) -> bool:
    """Whether the page shows this visitor what it shows any anonymous visitor."""
    return _asks_as_anyone(request) and not request.user.is_authenticated


def anonymous_page(data: str) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """A page whose content, for an anonymous visitor, depends on the set `data` alone (besides the language and the
    address): rendered once per version in each process and served again with the visitor's own form token, which
    a cached page must never share (Django's cache middleware would store one visitor's token for all)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _seen_as_anyone(request) or changing(data):
                return view(request, *args, **kwargs)
            page = (data, version(data), get_language(), request.get_full_path(), request.headers.get("HX-Request"))

            def render() -> HttpResponse:
                with rendering_to_keep(request):
                    return view(request, *args, **kwargs)

            return with_form_token(request, _kept(page, render))

        return answer

    return decorator


def _kept(page: tuple, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The answer `render` gives for `page` (the data, its version, the address, what else it depends on), kept whole
    in the process when it is a plain 200 (no cookie set), and served again from there; the answer also tells
    `KeptAnswersMiddleware` it may be served to every anonymous visitor of the address (`shared_as`)."""
    key = "reference-page:" + hashlib.sha256(repr(page).encode()).hexdigest()
    local = caches["local"]
    kept = local.get(key)
    if kept is None:
        response = render()
        if not keepable(response):
            return response
        kept = (response.content, response["Content-Type"])
        local.set(key, kept, timeout=REFERENCE_CACHE_SECONDS)
    content, content_type = kept
    answer = HttpResponse(content, content_type=content_type)
    answer.shared_as = (page[0], page[1], content)  # type: ignore[attr-defined]
    return answer


def keepable(response: HttpResponse) -> bool:
    """Whether an answer may be kept whole and served again: a plain 200 with its whole content, that set no cookie."""
    return response.status_code == 200 and not response.streaming and not response.cookies


def with_form_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The kept page `response` with the visitor's own form token where the placeholder stands."""
    if not response.streaming and FORM_TOKEN_PLACEHOLDER.encode() in response.content:
        response.content = response.content.replace(FORM_TOKEN_PLACEHOLDER.encode(), get_token(request).encode())
    return response


# What a kept answer replays of the headers the middleware gave it the first time, and what is each visitor's own.
_OWN_HEADERS = {"content-length", "set-cookie"}


def _shared_answer_key(request: HttpRequest) -> str | None:
    """Where an answer the same for every anonymous visitor of this address is kept, or None if this request may be
    answered otherwise: a session (a name, a menu), a message waiting, a conditional request, a write."""
    if not _asks_as_anyone(request) or "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # refused below, as any request
    visit = (host, request.get_full_path(), chosen_language(request), request.headers.get("HX-Request"))
    return "kept-answer:" + hashlib.sha256(repr(visit).encode()).hexdigest()


class KeptAnswersMiddleware:
    """An answer kept for every anonymous visitor (`anonymous_page`, or what `conditional` lets any cache keep),
    served from the process's memory before the middleware below (session, language, user, second factor,
    messages, form token, rate limits), which would change nothing in it: it went through all of them once, and its
    headers are replayed. Only the form token is each visitor's own: put in afresh, its cookie set or renewed, as
    the form-token middleware does. A new version of the data answers through the whole chain again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.form_tokens = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _shared_answer_key(request)
        if key is None:
            return self.get_response(request)
        local = caches["local"]
        kept = local.get(key)
        if kept is not None and version(kept[0]) == kept[1]:
            return self._replayed(request, kept[0], *kept[2:])
        response = self.get_response(request)
        shared = getattr(response, "shared_as", None)
        # A view under a rate limit (django_ratelimit marks the request) must count each visit: never served here.
        counted = hasattr(request, "limited")
        if shared is not None and not counted and response.status_code == 200 and not response.streaming:
            data, drawn, content = shared
            tagged_per_visitor = getattr(response, "tagged_per_visitor", False)
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in _OWN_HEADERS and not (tagged_per_visitor and name.lower() == "etag")
            ]
            local.set(key, (data, drawn, content, headers, tagged_per_visitor), timeout=REFERENCE_CACHE_SECONDS)
        return response

    def _replayed(
        self, request: HttpRequest, data: str, content: bytes, headers: list[tuple[str, str]], tagged: bool
    ) -> HttpResponse:
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        if tagged:  # the visitor's own tag, from what they send (as `conditional` works it out)
            response.headers["ETag"] = _visitor_etag(data, request, None, chosen_language(request))  # anonymous
        if FORM_TOKEN_PLACEHOLDER.encode() in content:
            self.form_tokens.process_request(request)  # the visitor's own secret, from their cookie
            with_form_token(request, response)
            self.form_tokens.process_response(request, response)
        response.headers["Content-Length"] = str(len(response.content))
        return response
