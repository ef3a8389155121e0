"""Reads of the territorial reference data, which knows no people (reads in a person's scope: access.scoping)."""

import hashlib
from typing import TypedDict

from django.db.models import Q, QuerySet

from raqmana.kernel import reference_data

from .constants import LOCAL_LEVELS, Level
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


def local_place(code: str) -> Territory | None:
    """The commune or arrondissement of HCP code `code`, its parent read with it; None for any other code. Cached
    until the territories change, as an address in a form is checked at each save; an unknown code is looked up
    in the set of codes alone, so that codes made up fill no cache."""
    codes = reference_data.cached(
        "territories",
        "local_codes",
        lambda: frozenset(Territory.objects.filter(level__in=LOCAL_LEVELS).values_list("code", flat=True)),
    )
    if code not in codes:
        return None
    return reference_data.cached(
        "territories", f"local_place:{code}", lambda: Territory.objects.select_related("parent").get(code=code)
    )


def place_chain(territory_id: int) -> list[Territory]:
    """A territory and those above it, from its region down to itself, cached until the territories change."""

    def chain() -> list[Territory]:
        # An arrondissement lies three levels under its region: one query brings the whole chain.
        place: Territory | None = Territory.objects.select_related("parent__parent__parent").get(pk=territory_id)
        places = []
        while place is not None:
            places.append(place)
            place = place.parent
        return places[::-1]

    return reference_data.cached("territories", f"chain:{territory_id}", chain)
