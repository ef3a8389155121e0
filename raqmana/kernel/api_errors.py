"""How the API refuses: a service's PermissionDenied becomes 403, its ValidationError 422 naming the fields."""

import re
from collections.abc import Iterable
from typing import Any, NoReturn

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import HttpError


def refuse(error: ValidationError | PermissionDenied, field_names: dict[str, str] | None = None) -> NoReturn:
    """`field_names` maps a service's field to the API's name for it, where they differ."""
    if isinstance(error, PermissionDenied):
        raise HttpError(403, str(error) or _("You may not do this."))
    messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    field_names = field_names or {}
    raise HttpError(
        422, "; ".join(_described(field_names.get(field, field), texts) for field, texts in messages.items())
    )


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
