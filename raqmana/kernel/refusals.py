"""How a page shows a service's refusal (a ValidationError or a PermissionDenied): as a message, or beside the
fields of the form it names, keeping what was typed. The API says the same through kernel.api_errors."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    """The refusal as one text, for a message above the page."""
    if isinstance(error, PermissionDenied):
        return str(error) or _("You may not do this.")
    return " ".join(error.messages)


def show_refusal(
    form: forms.BaseForm, error: ValidationError | PermissionDenied, field_names: dict[str, str] | None = None
) -> None:
    """Put the refusal beside the fields it names (`field_names` maps a service's field to the form's, where they
    differ), the rest above the form; nothing typed is lost."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, refusal_text(error))
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = (field_names or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
