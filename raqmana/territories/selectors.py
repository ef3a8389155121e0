"""Reads of the territorial reference data, which knows no people (reads in a person's scope: access.scoping)."""

import hashlib
from typing import TypedDict

from django.db.models import Q, QuerySet

from raqmana.kernel import reference_data

from .constants import Level
from .models import CivilStatusOffice, Territory


def direct_children(territory: Territory) -> QuerySet[Territory]:
    """Children in the hierarchy, plus the arrondissements a prefecture of arrondissements answers for."""
    return Territory.objects.filter(ancestor_links__ancestor=territory, ancestor_links__depth=1)


def find_offices(query: str, limit: int = 20) -> list[CivilStatusOffice]:
    """Public directory of civil status offices, searched by the office's or its commune's name in any script.

    One column holds every name a unit is found by (`AdministrativeUnit.search_key`), which a trigram index serves on
    PostgreSQL; answers are cached until the territories change (kernel.reference_data)."""
    wanted = query.strip().casefold()
    if len(wanted) < 2:
        return []
    digest = hashlib.sha256(wanted.encode()).hexdigest()[:32]
    return reference_data.cached(
        "territories",
        f"offices:{limit}:{digest}",
        lambda: list(
            CivilStatusOffice.objects.filter(search_key__contains=wanted, is_active=True)
            .select_related("territory__parent")
            .order_by("territory__level", "name_fr")[:limit]
        ),
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


class DirectoryCounts(TypedDict):
    office_count: int
    commune_count: int


def directory_counts() -> DirectoryCounts:
    """How many civil status offices are open and how many communes there are (the home page), cached."""
    return reference_data.cached(
        "territories",
        "counts",
        lambda: DirectoryCounts(
            office_count=CivilStatusOffice.objects.filter(is_active=True).count(),
            commune_count=Territory.objects.filter(level=Level.COMMUNE).count(),
        ),
    )
