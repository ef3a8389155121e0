"""How the API refuses: a service's PermissionDenied becomes 403, its ValidationError 422 naming the fields."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja.errors import HttpError


def refuse(error):
    if isinstance(error, PermissionDenied):
        raise HttpError(403, str(error) or _("You may not do this."))
    messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    raise HttpError(422, "; ".join(f"{field}: {' '.join(texts)}" for field, texts in messages.items()))
