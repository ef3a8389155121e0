"""Reads of the territorial reference data, which knows no people (reads in a person's scope: access.scoping)."""

from django.db.models import Q, QuerySet

from .constants import Level
from .models import CivilStatusOffice, Territory


def direct_children(territory: Territory) -> QuerySet[Territory]:
    """Children in the hierarchy, plus the arrondissements a prefecture of arrondissements answers for."""
    return Territory.objects.filter(ancestor_links__ancestor=territory, ancestor_links__depth=1)


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
