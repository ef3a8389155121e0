from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .selectors import signed_in_account
from .validators import normalise_phone


def canonical_identifier(identifier):
    """An email in lower case or a phone number in E.164, as accounts store them; None if it is neither."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return identifier.lower()
    try:
        return normalise_phone(identifier)
    except ValidationError:
        return None


def find_user_by_identifier(identifier):
    """The user whose email (any case) or phone number (any usual spelling) is `identifier`, or None."""
    canonical = canonical_identifier(identifier)
    if canonical is None:
        return None
    field = "email" if "@" in canonical else "phone"
    return get_user_model().objects.filter(**{field: canonical}).first()


def throttle_key(request, credentials):
    """django-axes counts failed sign-ins per account, not per spelling of its identifier."""
    typed = (credentials or {}).get("username") or getattr(request, "POST", {}).get("username", "")
    return canonical_identifier(typed) or typed.strip().lower()


def active_account(user_id):
    """The active account a session is signed in as, or None: what every backend answers for a session (a
    deactivated account is signed out at its next request, whichever way it signed in)."""
    user = signed_in_account(user_id)
    return user if user is not None and user.is_active else None


class EmailOrPhoneBackend(ModelBackend):
    def get_user(self, user_id):
        return active_account(user_id)

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user_by_identifier(username)
        if user is None:
            # Spend the time a password check takes, so timing does not reveal which accounts exist.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
