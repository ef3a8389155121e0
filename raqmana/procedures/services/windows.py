"""The offices that receive dossiers, opened where none exists: an urbanism single window in every commune of more
than 50,000 inhabitants and in every province or prefecture (for the smaller communes), and each commune's own
services for what its president decides alone (licences, its public domain)."""

from django.db import transaction

from raqmana.territories.constants import PROVINCIAL_LEVELS, Level, UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory
from raqmana.territories.services import french_of

from ..routing import OWN_WINDOW_POPULATION

# Unit codes: the kind's prefix and the territory's HCP code (civil status offices use the code alone).
PREFIXES = {UnitKind.URBANISM_SERVICE: "URB", UnitKind.COLLECTIVITY: "COL"}


def _named(kind: UnitKind, territory: Territory) -> AdministrativeUnit:
    if kind == UnitKind.URBANISM_SERVICE and territory.level in PROVINCIAL_LEVELS:
        name_ar, name_fr = (
            f"الشباك الوحيد للتعمير {territory.name_ar}",
            f"Guichet unique d'urbanisme {french_of(territory.name_fr)}",
        )
    elif kind == UnitKind.URBANISM_SERVICE:
        name_ar, name_fr = (
            f"الشباك الوحيد للتعمير بجماعة {territory.name_ar}",
            f"Guichet unique d'urbanisme de la commune {french_of(territory.name_fr)}",
        )
    else:
        name_ar, name_fr = f"جماعة {territory.name_ar}", f"Commune {french_of(territory.name_fr)}"
    return AdministrativeUnit(
        kind=kind, code=f"{PREFIXES[kind]}-{territory.code}", territory=territory, name_ar=name_ar, name_fr=name_fr
    )


@transaction.atomic
def open_single_windows() -> dict[str, int]:
    """Create the missing units (their codes say where they stand); returns how many of each kind were opened."""
    existing = set(AdministrativeUnit.objects.filter(kind__in=PREFIXES).values_list("kind", "territory_id"))
    communes = Territory.objects.filter(level=Level.COMMUNE)
    wanted = [
        *(
            (UnitKind.URBANISM_SERVICE, commune)
            for commune in communes.filter(population_2024__gt=OWN_WINDOW_POPULATION)
        ),
        *((UnitKind.URBANISM_SERVICE, province) for province in Territory.objects.filter(level__in=PROVINCIAL_LEVELS)),
        *((UnitKind.COLLECTIVITY, commune) for commune in communes),
    ]
    units = [_named(kind, territory) for kind, territory in wanted if (kind, territory.pk) not in existing]
    for unit in units:
        unit.save()  # save() keeps the finder's search key
    return {kind: sum(unit.kind == kind for unit in units) for kind in PREFIXES}
