from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .validators import normalise_phone


def find_user_by_identifier(identifier):
    """The user whose email (any case) or phone number (any usual spelling) is `identifier`, or None."""
    users = get_user_model().objects
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return users.filter(email__iexact=identifier).first()
    try:
        return users.filter(phone=normalise_phone(identifier)).first()
    except ValidationError:
        return None


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user_by_identifier(username)
        if user is None:
            # Spend the time a password check takes, so timing does not reveal which accounts exist.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
