"""Which office receives a dossier: the single window of its commune, or the provincial one."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from raqmana.kernel import reference_data
from raqmana.territories.constants import Level, UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory

from .formdefs import Condition
from .models import AgentGroup, Dossier, Procedure, WindowOverride

# Communes of more inhabitants than this run their own urbanism single window; the others are served by their
# province's or prefecture's (the governor's services, with the commune sitting in its committee).
OWN_WINDOW_POPULATION = 50_000

# The set of reference data (kernel.reference_data) of where dossiers go: the overrides of the single windows and the
# agent groups of the offices, which the administration changes (procedures/apps.py says when).
ROUTING = "procedures.routing"


def commune_of(place: Territory) -> Territory:
    """The commune a place belongs to: itself, or the commune of an arrondissement."""
    if place.level == Level.ARRONDISSEMENT and place.parent is not None:
        return place.parent
    return place


def runs_own_window(commune: Territory) -> bool:
    """Urbanism circular of the single windows: a commune of more than 50,000 inhabitants (2024 census) runs its own
    single window for permits; the smaller ones file with the provincial one."""
    return (commune.population_2024 or 0) > OWN_WINDOW_POPULATION


def competent_unit(procedure: Procedure, place: Territory) -> AdministrativeUnit:
    """The open office of the procedure's kind that receives a dossier for a project at `place` (a commune or an
    arrondissement): the one an override names; else, for urbanism, the commune's own window (an arrondissement's
    unit first) when the commune runs one, the province's otherwise; for what the commune decides alone (licences,
    its public domain), the commune's. ValidationError when no such office is open yet. Cached until the territories,
    their offices or the overrides change (`ROUTING`)."""
    kind = procedure.competent_unit_kind
    unit = reference_data.cached(
        ("territories", ROUTING), f"competent_unit:{kind}:{place.pk}", lambda: _competent_unit(kind, place)
    )
    if unit is None:
        raise ValidationError(
            _("No office receives this procedure for %(commune)s yet: ask the commune's services.")
            % {"commune": commune_of(place).name},
            code="no_competent_office",
        )
    return unit


def _competent_unit(kind: str, place: Territory) -> AdministrativeUnit | None:
    commune = commune_of(place)
    override = WindowOverride.objects.select_related("unit").filter(commune=commune).first()
    if override is not None and override.unit.is_active:
        return override.unit
    places = [place, commune] if place != commune else [commune]
    if kind == UnitKind.URBANISM_SERVICE and not runs_own_window(commune):
        places = [commune.parent] if commune.parent is not None else []
    units = AdministrativeUnit.objects.filter(kind=kind, territory__in=places, is_active=True).select_related(
        "territory"
    )
    found = sorted(units, key=lambda unit: (places.index(unit.territory), unit.code))
    return found[0] if found else None


def site_served_here(procedure: Procedure, site: Territory | None, place: Territory) -> bool:
    """A project's dossier goes to the commune where it lies, whose president delivers its permit (Law 12-90 on
    urbanism; Organic Law 113-14 on communes), and to the office that receives dossiers for that place
    (`routing.competent_unit`). The site and the dossier's place may each be a commune or one of its
    arrondissements: two arrondissements served by one office are one place; a commune named for a dossier started
    in one of its arrondissements with its own office is not."""
    if site is None or commune_of(site).pk != commune_of(place).pk:
        return False
    if site.pk == place.pk:
        return True
    try:
        return competent_unit(procedure, site) == competent_unit(procedure, place)
    except ValidationError:  # no office open for one of them: not shown to be the same
        return False


def group_for(dossier: Dossier) -> AgentGroup | None:
    """The agent group of the dossier's unit that takes it: the first, by order, whose communes, procedure and field
    answer all match those it names; else the unit's default group; None when the unit has no groups."""
    groups = reference_data.cached(
        ("territories", ROUTING), f"groups:{dossier.unit_id}", lambda: _groups(dossier.unit_id)
    )
    for group, communes in groups:
        if group.is_default:
            continue
        if communes and dossier.commune_id not in communes and commune_of(dossier.commune).pk not in communes:
            continue
        if group.procedure_id and group.procedure_id != dossier.procedure_id:
            continue
        if group.field_key and not Condition(group.field_key, tuple(group.field_values or ())).holds(dossier.answers):
            continue
        return group
    return next((group for group, _communes in groups if group.is_default), None)


def _groups(unit_id: int | None) -> list[tuple[AgentGroup, frozenset[int]]]:
    """The unit's agent groups in their order, each with the communes it names."""
    groups = AgentGroup.objects.filter(unit_id=unit_id).prefetch_related("communes").order_by("order", "pk")
    return [(group, frozenset(commune.pk for commune in group.communes.all())) for group in groups]
