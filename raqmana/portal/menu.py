"""The menu of the base template: the entries the apps declared (`raqmana.kernel.navigation`) that this person may
see, checked against their permissions (`access.checking.has_permission`) with their second factor verified."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from raqmana.access.checking import has_permission
from raqmana.kernel.navigation import ADMINISTRATORS, ANYONE, ENTRIES, SIGNED_IN, Entry


def menu_for(user: AbstractBaseUser | AnonymousUser) -> list[Entry]:
    signed_in = user.is_authenticated
    # An agent who has not yet given their code reaches nothing but the second-factor page: no work links before.
    verified = signed_in and user.is_verified()
    return [entry for entry in ENTRIES if _shown(entry, user, signed_in, verified)]


def _shown(entry: Entry, user: AbstractBaseUser | AnonymousUser, signed_in: bool, verified: bool) -> bool:
    if entry.shown_to == ANYONE:
        return True
    if entry.shown_to == SIGNED_IN:
        return signed_in
    if entry.shown_to == ADMINISTRATORS:
        return verified and user.is_superuser
    return verified and has_permission(user, entry.shown_to)
