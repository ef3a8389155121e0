"""Errors that stay inside. An unexpected exception that reaches a person (a page, the API, a reason kept for later
display) shows them a translated sentence and a reference they can quote ("ERR-7K2P-9QXM"); the traceback, the
reference, the user and the path go to the log under that reference, where whoever the person tells finds them.

`raqmana/urls.py` installs `server_error` as Django's handler500 (an exception in a view or a middleware) and
`raqmana/api.py` `unexpected_error_answer` as the API's handler of any exception its refusals do not name;
`bad_request`, `permission_denied` and `page_not_found` are Django's handler400, 403 and 404: under /api/ they answer
JSON as the API's own refusals do, where Django's would answer a page."""

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import empty
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

from .api_errors import refusal
from .bad_input import API_PREFIX
from .codes import random_code

logger = logging.getLogger("raqmana.errors")

REFERENCE_LENGTH = 8  # 40 bits: two errors of one day never share a reference


def new_reference() -> str:
    """A reference a person reads out or types: "ERR-" and two groups of four symbols of the codes' alphabet."""
    code = random_code(REFERENCE_LENGTH)
    return f"ERR-{code[:4]}-{code[4:]}"


def log_unexpected(error: BaseException | None, *, request: HttpRequest | None = None, during: str = "") -> str:
    """Log `error` with its traceback under a new reference, and return the reference to show the person.

    `request` adds its method, path and user; `during` says what was being done where there is no request (a
    payment's answer handled by a worker, say)."""
    reference = new_reference()
    where = f"{request.method} {request.path}" if request is not None else during or "outside a request"
    user_id = _user_id(request) if request is not None else None
    logger.error(
        "%s: unexpected error during %s (user %s)",
        reference,
        where,
        user_id if user_id is not None else "unknown",
        exc_info=error if error is not None else False,
        extra={"reference": reference, "user_id": user_id},
    )
    return reference


def _user_id(request: HttpRequest) -> Any:
    """The signed-in user's id if the request already read it: reading it now could need the database, which may
    be what failed."""
    user = request.__dict__.get("user")  # AuthenticationMiddleware's lazy object, evaluated or not
    wrapped = getattr(user, "_wrapped", user)
    return None if wrapped is None or wrapped is empty else getattr(wrapped, "pk", None)


def unexpected_sentence(reference: str) -> str:
    """What a person is told of an error that is not theirs, in the active language."""
    return _(
        "Something went wrong on our side and what you asked was not done. Try again in a moment; if it happens "
        "again, give this reference to the service desk: %(reference)s."
    ) % {"reference": reference}


def unexpected_error_answer(request: HttpRequest, error: BaseException) -> JsonResponse:
    """The API's answer to an exception no refusal names: 500 with the sentence and the reference."""
    reference = log_unexpected(error, request=request)
    return JsonResponse({"detail": unexpected_sentence(reference), "reference": reference}, status=500)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: the exception being handled is logged under a reference, the person gets the sentence
    in their language (Arabic unless they chose another), as JSON under /api/ and as a page elsewhere.

    Reads nothing from the database and renders without the context processors (no menu, no user): the database
    may be what failed. Should the page itself fail, a plain one says the same."""
    reference = log_unexpected(sys.exc_info()[1], request=request)
    with translation.override(_language_of(request)):
        if request.path_info.startswith(API_PREFIX):
            response: HttpResponse = JsonResponse(
                {"detail": unexpected_sentence(reference), "reference": reference}, status=500
            )
        else:
            response = HttpResponse(_error_page(reference), status=500)
    # Logged above with its reference: Django's own log of the 500 would repeat the traceback without it.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400 (a request it refused before any view: a malformed header or cookie, say): the platform's
    page, with the request's context, where Django's own renders without it (no menu, nobody signed in)."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": _("The request could not be read.")}, status=400)
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: PermissionDenied) -> HttpResponse:
    """Django's handler403 (a refusal raised outside the API's routes: a middleware, say): the refusal's sentence,
    as JSON under /api/, on the portal's 403 page elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        return _api_refusal(exception)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Http404) -> HttpResponse:
    """Django's handler404 (an address nothing answers, under /api/ too): JSON under /api/, the portal's 404 page
    elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        return _api_refusal(exception)
    return defaults.page_not_found(request, exception)


def _api_refusal(exception: PermissionDenied | Http404) -> JsonResponse:
    status, detail = refusal(exception)
    return JsonResponse({"detail": detail}, status=status)


def _language_of(request: HttpRequest) -> str:
    """The language the language middleware chose, or the one it would choose if the error came before it."""
    supported = dict(settings.LANGUAGES)
    chosen = getattr(request, "LANGUAGE_CODE", None) or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in supported else settings.LANGUAGE_CODE


def _error_page(reference: str) -> str:
    sentence = unexpected_sentence(reference)
    try:
        return render_to_string("portal/500.html", {"sentence": sentence, "reference": reference})
    except Exception:  # a missing template or static manifest entry must not turn the error page into another error
        logger.exception("%s: the error page could not be rendered", reference)
        language = translation.get_language()
        direction = "rtl" if translation.get_language_bidi() else "ltr"
        return f'<!doctype html><html lang="{language}" dir="{direction}"><p>{escape(sentence)}</p></html>'


class MethodNotAllowedPage:
    """Django's answer to a method a view does not take (a GET on an address only a form posts to) has no body: the
    platform's page in the person's language instead, outside the API, whose clients read the status and `Allow`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 405 or request.path_info.startswith(API_PREFIX) or request.method == "HEAD":
            return response
        if getattr(response, "content", b""):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response["Allow"]
        return page
