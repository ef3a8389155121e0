"""Reads of the territorial reference data, always through the requesting user's scope."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from raqmana.accounts.models import RoleAssignment

from .constants import Level
from .models import CivilStatusOffice, Territory, TerritoryLink
from .scoping import ScopedQuerySet, scopes_of


def supervised_roots(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Territory]:
    """The places a supervisor starts from: the regions for national roles, else the places they hold."""
    scopes = scopes_of(user)
    if any(scope.is_national for scope in scopes):
        return Territory.objects.filter(level=Level.REGION)
    return Territory.objects.filter(pk__in={scope.territory_id for scope in scopes if not scope.office_id})


def direct_children(territory: Territory) -> QuerySet[Territory]:
    """Children in the hierarchy, plus the arrondissements a prefecture of arrondissements answers for."""
    return Territory.objects.filter(ancestor_links__ancestor=territory, ancestor_links__depth=1)


def summarise(user: AbstractBaseUser | AnonymousUser, territories: ScopedQuerySet) -> list[dict[str, Any]]:
    """For each territory: communes, civil status offices and active agents under it, and its population."""
    visible = list(territories.visible_to(user))
    ids = [territory.pk for territory in visible]
    communes = dict(
        TerritoryLink.objects.filter(ancestor_id__in=ids, descendant__level=Level.COMMUNE)
        .values_list("ancestor_id")
        .annotate(n=Count("descendant_id"))
    )
    offices = dict(
        CivilStatusOffice.objects.visible_to(user)
        .filter(territory__ancestor_links__ancestor_id__in=ids)
        .values_list("territory__ancestor_links__ancestor_id")
        .annotate(n=Count("pk"))
    )
    agents = dict(
        RoleAssignment.objects.visible_to(user)
        .active()
        .filter(territory__ancestor_links__ancestor_id__in=ids)
        .values_list("territory__ancestor_links__ancestor_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return [
        {
            "territory": territory,
            "communes": communes.get(territory.pk, 0),
            "offices": offices.get(territory.pk, 0),
            "agents": agents.get(territory.pk, 0),
        }
        for territory in visible
    ]


def find_offices(query: str, limit: int = 20) -> QuerySet[CivilStatusOffice]:
    """Public directory of civil status offices, searched by the office's or its commune's name in any script."""
    query = query.strip()
    if len(query) < 2:
        return CivilStatusOffice.objects.none()
    match = Q()
    for field in ("name_ar", "name_fr", "territory__name_ar", "territory__name_fr", "territory__parent__name_fr"):
        match |= Q(**{f"{field}__icontains": query})
    return (
        CivilStatusOffice.objects.filter(match, is_active=True)
        .select_related("territory__parent")
        .order_by("territory__level", "name_fr")[:limit]
    )


def find_communes(query: str, limit: int = 15) -> QuerySet[Territory]:
    query = query.strip()
    if len(query) < 2:
        return Territory.objects.none()
    return (
        Territory.objects.filter(Q(name_fr__icontains=query) | Q(name_ar__icontains=query), level=Level.COMMUNE)
        .select_related("parent")
        .order_by("name_fr")[:limit]
    )
