"""Reads about people: the enterprises they represent and the invitations waiting for them."""

from django.db.models import QuerySet

from .models import EnterpriseRepresentative, User


def representations(user: User) -> QuerySet[EnterpriseRepresentative]:
    return user.representations.active().select_related("enterprise__commune")


def invitations(user: User) -> QuerySet[EnterpriseRepresentative]:
    return user.representations.pending().select_related("enterprise__commune", "added_by")
