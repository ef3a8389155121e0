"""How the API refuses, once for every endpoint (raqmana/api.py installs `refusal` as ninja's exception handler): a
service's PermissionDenied becomes 403, its ValidationError 422 naming the fields, a record that does not exist
404, the kernel's BadInput its own status; each says why in the person's language, as {"detail": "..."}."""

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

from .bad_input import BadInput
from .refusals import refusal_text

# A service's field and the API's name for it, where they differ; each app adds its own (api_field_names).
API_FIELD_NAMES: dict[str, str] = {}
# What the API's one exception handler answers (refusal): services' refusals, missing records, the kernel's BadInput.
REFUSED = (ValidationError, PermissionDenied, ObjectDoesNotExist, Http404, BadInput)


class Refusal(Schema):
    detail: str


class UnexpectedError(Schema):
    """An error that is not the caller's (kernel.errors): the sentence and the reference to quote."""

    detail: str
    reference: str


# What every endpoint may answer besides its result, for the OpenAPI schema: `response={200: Out, **REFUSALS}`.
REFUSALS = {403: Refusal, 404: Refusal, 422: Refusal, 500: UnexpectedError}


def api_field_names(names: dict[str, str]) -> None:
    """Name a service's fields in the API's refusals as the API's input names them ({"birth_act": "deceased_idcs"})."""
    API_FIELD_NAMES.update(names)


def refusal(error: ValidationError | PermissionDenied | ObjectDoesNotExist | Http404 | BadInput) -> tuple[int, str]:
    """The status and the message the API answers `error` with."""
    if isinstance(error, PermissionDenied):
        return 403, refusal_text(error)
    if isinstance(error, (ObjectDoesNotExist, Http404)):
        return 404, _("Not Found")
    if isinstance(error, BadInput):
        return error.status, str(error.message)
    messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return 422, "; ".join(_described(API_FIELD_NAMES.get(field, field), texts) for field, texts in messages.items())


def _described(field: str, texts: list[str]) -> str:
    """A refusal as "field: message"; one about the whole request is the message alone."""
    return " ".join(texts) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(texts)}"


# Pydantic's error types, said in the person's language like the services' refusals.
INPUT_ERRORS = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy(
        "This field is not accepted here: the register sets it itself, or it does not exist."
    ),
    "date_format": gettext_lazy("Enter a valid date (YYYY-MM-DD)."),
    "time_format": gettext_lazy("Enter a valid time (HH:MM), in Morocco's local time."),
    "date_parsing": gettext_lazy("Enter a valid date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": gettext_lazy("Enter a valid date (YYYY-MM-DD)."),
    "date_type": gettext_lazy("Enter a valid date (YYYY-MM-DD)."),
    "time_parsing": gettext_lazy("Enter a valid time (HH:MM)."),
    "time_type": gettext_lazy("Enter a valid time (HH:MM)."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_parsing_size": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "bool_type": gettext_lazy("Enter true or false."),
    "string_type": gettext_lazy("Enter text."),
    "model_type": gettext_lazy("Give an object of named fields, between braces."),
    "model_attributes_type": gettext_lazy("Give an object of named fields, between braces."),
    "dict_type": gettext_lazy("Give an object of named fields, between braces."),
    "json_invalid": gettext_lazy("The request is not valid JSON."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
}
# Where a value sits in the request, not part of the field's name.
REQUEST_PARTS = {"body", "query", "path", "form", "payload"}


def describe_invalid_input(errors: Iterable[dict[str, Any]]) -> str:
    """Ninja's validation errors as the services' refusals read: "field: message; field: message"."""
    described: dict[str, list[str]] = {}
    for error in errors:
        field = ".".join(str(part) for part in error.get("loc", ()) if part not in REQUEST_PARTS) or NON_FIELD_ERRORS
        template = INPUT_ERRORS.get(error.get("type", ""))
        context = dict(error.get("ctx", {}))
        if "expected" in context:  # pydantic writes "'M' or 'F'": the values alone read in any language
            context["expected"] = ", ".join(re.findall(r"'([^']*)'", str(context["expected"]))) or context["expected"]
        message = template % context if template else error.get("msg", "")
        described.setdefault(field, []).append(str(message))
    return "; ".join(_described(field, messages) for field, messages in described.items())
