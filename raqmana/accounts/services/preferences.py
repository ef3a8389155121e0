"""A person's preferences."""

from django.contrib.auth.models import AnonymousUser

from raqmana.accounts.models import User


def set_preferred_language(user: User | AnonymousUser, language: str) -> None:
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
