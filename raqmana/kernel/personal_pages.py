"""A signed-in person's page kept whole in the process as it was rendered for them, under their version
(`personal_cache`): their next visit of the same address, while nothing of them changed, is served without the view's
work and the template's rendering (most of such a page's time). Their form token is put in afresh at each visit, as
in the pages kept for every anonymous visitor (`reference_data.anonymous_page`).

The key holds everything a kept page may depend on: the person and their version, the versions of the reference data
the view names, the language, the address, whether htmx asks, and whether the second factor was given. A page is not
kept while a message waits for the person (it is shown once), nor while a change of theirs awaits a commit, nor when
the view says so (`not_kept`: what it shows depends on more than the person), and at most until the moment the view
names (`kept_until`: what it shows changes with the time alone, a payment past its confirmation threshold).
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from . import personal_cache, reference_data

# How long a page is kept at most: one of an old version is never served again, this bounds the memory it holds
# (with the "pages" cache's MAX_ENTRIES).
PAGE_SECONDS = 600

_UNTIL = "_raqmana_page_kept_until"


def kept_until(request: HttpRequest, moment: datetime) -> None:
    """The page the view is rendering shows something that changes at `moment` with the time alone: it is kept no
    later (not at all if `moment` is past)."""
    earlier = getattr(request, _UNTIL, None)
    setattr(request, _UNTIL, moment if earlier is None else min(earlier, moment))


def not_kept(request: HttpRequest) -> None:
    """The page the view is rendering shows what may change without the person's version changing (what colleagues
    filed, say): it is rendered afresh at each visit."""
    kept_until(request, timezone.now())


def personal_page(
    *data: str, query: tuple[str, ...] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page that shows a signed-in person what is known of them (`personal_cache`) and of the reference data sets
    `data`: kept whole for them, in the process, until their version or one of those versions changes. Only its
    addresses whose query names no parameter but those of `query` are kept: any other (?utm=1, ?utm=2...) would keep
    a copy each, and push other people's pages out."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _may_be_kept(request, data, query):
                return view(request, *args, **kwargs)
            pages = caches["pages"]
            key = _page_key(request, data)
            kept = pages.get(key)
            if kept is not None:
                content, content_type = kept
                return reference_data.with_form_token(request, HttpResponse(content, content_type=content_type))
            with reference_data.rendering_to_keep(request):
                response = view(request, *args, **kwargs)
            seconds = _seconds_kept(request, response)
            if seconds > 0:
                pages.set(key, (response.content, response["Content-Type"]), timeout=seconds)
            return reference_data.with_form_token(request, response)

        return answer

    return decorator


def _may_be_kept(request: HttpRequest, data: tuple[str, ...], query: tuple[str, ...]) -> bool:
    user = request.user
    return (
        request.method in ("GET", "HEAD")
        and user.is_authenticated
        and all(name in query for name in request.GET)
        and not len(get_messages(request))
        and not personal_cache.changing(user)
        and not any(reference_data.changing(name) for name in data)
    )


def _page_key(request: HttpRequest, data: tuple[str, ...]) -> str:
    user = request.user
    verified = getattr(user, "is_verified", None)
    page = (
        user.pk,
        personal_cache.version_of(user),
        tuple(reference_data.version(name) for name in data),
        get_language(),
        request.get_host(),
        request.META.get("SCRIPT_NAME", ""),
        request.get_full_path(),
        request.headers.get("HX-Request"),
        verified() if verified is not None else None,
    )
    return "personal-page:" + hashlib.sha256(repr(page).encode()).hexdigest()


def _seconds_kept(request: HttpRequest, response: HttpResponse) -> float:
    """How long the answer may be kept: a plain 200 that set no cookie and showed no message, up to PAGE_SECONDS or
    the moment the view named."""
    if not reference_data.keepable(response) or len(get_messages(request)):
        return 0
    until = getattr(request, _UNTIL, None)
    if until is None:
        return PAGE_SECONDS
    return min(PAGE_SECONDS, (until - timezone.now()).total_seconds())
