"""Public reference data: the territorial hierarchy and the civil status offices (no personal data)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.decorators import decorate_view

from raqmana.kernel.reference_data import cached, conditional

from .constants import Level
from .models import CivilStatusOffice, Territory
from .selectors import direct_children, find_offices

router = Router(tags=["territories"])
# Every answer is reference data: tagged with its version, kept by browsers and proxies (kernel.reference_data).
reference_answer = decorate_view(conditional("territories"))


class TerritoryOut(Schema):
    code: str
    level: str
    name_ar: str
    name_fr: str
    parent_code: str | None
    commune_kind: str
    population_2024: int | None


class TerritoryDetailOut(TerritoryOut):
    children: list[TerritoryOut]


class OfficeOut(Schema):
    code: str
    name_ar: str
    name_fr: str
    address: str
    phone: str
    territory_code: str


def _territory(territory):
    return {
        "code": territory.code,
        "level": territory.level,
        "name_ar": territory.name_ar,
        "name_fr": territory.name_fr,
        "parent_code": territory.parent.code if territory.parent_id else None,
        "commune_kind": territory.commune_kind,
        "population_2024": territory.population_2024,
    }


def _office(office):
    return {
        "code": office.code,
        "name_ar": office.name_ar,
        "name_fr": office.name_fr,
        "address": office.address,
        "phone": office.phone,
        "territory_code": office.territory.code,
    }


@router.get("/regions", response=list[TerritoryOut])
@reference_answer
def regions(request):
    return cached(
        "territories",
        "api:regions",
        lambda: [_territory(region) for region in Territory.objects.filter(level=Level.REGION)],
    )


@router.get("/offices", response=list[OfficeOut])
@reference_answer
def offices(request, q: str):
    return [_office(office) for office in find_offices(q)]


@router.get("/{code}", response=TerritoryDetailOut)
@reference_answer
def territory(request, code: str):
    def detail():
        current = get_object_or_404(Territory.objects.select_related("parent"), code=code)
        children = direct_children(current).select_related("parent")
        return {**_territory(current), "children": [_territory(child) for child in children]}

    return cached("territories", f"api:territory:{code!r}", detail)


@router.get("/{code}/offices", response=list[OfficeOut])
@reference_answer
def territory_offices(request, code: str):
    def offices_under():
        current = get_object_or_404(Territory, code=code)
        found = CivilStatusOffice.objects.filter(
            territory__ancestor_links__ancestor=current, is_active=True
        ).select_related("territory")
        return [_office(office) for office in found]

    return cached("territories", f"api:offices_under:{code!r}", offices_under)
