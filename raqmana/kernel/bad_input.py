"""Requests no page or endpoint can take, refused once for all of them with a 4xx that says why.

- a body that cannot be read: a multipart form without its boundary or cut short, too many fields, too large;
- a NUL character (or half of a surrogate pair, from a JSON escape) anywhere a text can come from: the address, the
  query string, a form, a JSON body, a cookie, an uploaded file's name. PostgreSQL cannot store NUL in a text and
  neither database can take a lone surrogate, so such a text would fail in the database instead of being refused;
  it is refused the same way on SQLite, whatever view would have read it.

The API gets JSON in the shape of its other refusals ({"detail": "field: message"}); pages get a page that says
what was wrong. No person types these characters in a form: only a crafted request holds them, so nothing typed is
lost by refusing the request whole.
"""

import json
import re
from collections.abc import Callable, Iterable

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
FORM_CONTENT_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}
# A JSON body can only hold a NUL or a surrogate as an escape: bodies without one are not parsed twice.
JSON_ESCAPES_TO_CHECK = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


class BadInput(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def unstorable(text: str) -> bool:
    """Whether a text holds a character no database column can store: NUL, or an unpaired surrogate."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuse_unstorable(field: str, text: str) -> None:
    if unstorable(text):
        raise BadInput(
            f"{field}: "
            + _("This text holds a NUL character or half of a surrogate pair, which no text may hold: remove it.")
        )


def _shown(name: str) -> str:
    """A field's name fit to be shown in the refusal, whatever it holds."""
    return name.encode("utf-8", "replace").decode().replace("\x00", "?")


def _check_pairs(pairs: Iterable[tuple[str, list[str]]]) -> None:
    for key, values in pairs:
        _refuse_unstorable(_shown(key), key)
        for value in values:
            _refuse_unstorable(_shown(key), value)


def _check_json(document: object) -> None:
    """Every key and string of a parsed JSON document, named where it sits ("owner.child.0"); without recursion,
    as a document may nest as deep as the parser allows."""
    waiting = [(document, "")]
    while waiting:
        value, field = waiting.pop()
        if isinstance(value, str):
            _refuse_unstorable(field or "body", value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _refuse_unstorable(field or "body", key)
                waiting.append((item, f"{field}.{key}" if field else key))
        elif isinstance(value, list):
            waiting.extend((item, f"{field}.{index}" if field else str(index)) for index, item in enumerate(value))


def _check_form(request: HttpRequest) -> None:
    """Reads the form (every page would on its way to the view: the CSRF check does) and checks its texts."""
    try:
        _check_pairs(request.POST.lists())
        for field, files in request.FILES.lists():
            for uploaded in files:
                _refuse_unstorable(_shown(field), uploaded.name or "")
    except MultiPartParserError:
        raise BadInput(
            _("The form sent could not be read: its parts are malformed or its boundary is missing. Send it again.")
        ) from None
    except RequestDataTooBig:
        raise BadInput(_("The request is too large."), status=413) from None
    except BadRequest:  # the only one reading a form raises: a form said to be in another encoding than UTF-8
        raise BadInput(_("A form must be sent in UTF-8.")) from None
    except (TooManyFieldsSent, TooManyFilesSent):
        raise BadInput(_("The request holds too many fields or files.")) from None
    except UnreadablePostError:
        raise BadInput(_("The request's body was cut short. Send it again.")) from None


def _check_json_body(request: HttpRequest) -> None:
    """The API reads any other body as JSON: its strings are checked if it parses (the API refuses it if not)."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise BadInput(_("The request is too large."), status=413) from None
    except UnreadablePostError:
        raise BadInput(_("The request's body was cut short. Send it again.")) from None
    if not JSON_ESCAPES_TO_CHECK.search(body):
        return
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested too deep: the API refuses it when it reads it
        return
    _check_json(document)


def check_request(request: HttpRequest) -> None:
    """Raises BadInput for a request no view can take."""
    _refuse_unstorable(_("the address"), request.path_info)
    _check_pairs((name, [value]) for name, value in request.COOKIES.items())
    _check_pairs(request.GET.lists())
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if request.content_type in FORM_CONTENT_TYPES:
        _check_form(request)
    elif request.path_info.startswith(API_PREFIX):
        _check_json_body(request)


class BadInputMiddleware:
    """Placed before authentication: a refused request is answered before its session is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            check_request(request)
        except BadInput as refusal:
            return self.refusal(request, refusal)
        return self.get_response(request)

    @staticmethod
    def refusal(request: HttpRequest, refusal: BadInput) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            response: HttpResponse = JsonResponse({"detail": refusal.message}, status=refusal.status)
        else:
            response = render(request, "kernel/bad_input.html", {"message": refusal.message}, status=refusal.status)
        for name, value in request.COOKIES.items():
            if unstorable(name) or unstorable(value):
                response.delete_cookie(name)  # or every later request from this browser would be refused too
        return response
