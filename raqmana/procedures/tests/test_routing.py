"""Which office receives a dossier: a commune of more than 50,000 inhabitants its own single window, a smaller one its
province's; an override names another; licences go to the commune's own services; an arrondissement's unit first.
Worked out once, until the territories, their offices, the overrides or the agent groups change."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from raqmana.accounts.tests.factories import UserFactory
from raqmana.procedures.models import AgentGroup, Dossier, WindowOverride
from raqmana.procedures.routing import OWN_WINDOW_POPULATION, competent_unit, group_for, runs_own_window
from raqmana.procedures.services.windows import open_single_windows
from raqmana.territories.constants import Level, UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory


@pytest.fixture
def targuist(db):
    return Territory.objects.get(code="01.051.01.07")  # 14,638 inhabitants, province of Al Hoceïma


def window(territory, kind=UnitKind.URBANISM_SERVICE):
    return AdministrativeUnit.objects.create(
        kind=kind, code=f"T-{kind[:3]}-{territory.code}", territory=territory, name_ar="شباك", name_fr="Guichet"
    )


@pytest.mark.parametrize(("population", "own"), [(50_000, False), (50_001, True), (None, False)])
def test_more_than_50000_inhabitants_run_their_own_window(population, own):
    assert runs_own_window(Territory(population_2024=population)) is own
    assert OWN_WINDOW_POPULATION == 50_000


def test_a_large_commune_files_with_its_own_window(procedure, temara, temara_window):
    assert competent_unit(procedure, temara) == temara_window


def test_a_small_commune_files_with_its_province(procedure, targuist):
    provincial = window(targuist.parent)
    window(targuist)  # a unit of its own does not take what the province's window handles
    assert competent_unit(procedure, targuist) == provincial


def test_an_override_sends_a_commune_elsewhere(procedure, targuist):
    own = window(targuist)
    WindowOverride.objects.create(commune=targuist, unit=own, reason="Guichet ouvert en 2026", set_by=UserFactory())
    assert competent_unit(procedure, targuist) == own


def test_a_closed_override_is_not_followed(procedure, targuist):
    own = window(targuist)
    provincial = window(targuist.parent)
    own.is_active = False
    own.save()
    WindowOverride.objects.create(commune=targuist, unit=own, reason="x", set_by=UserFactory())
    assert competent_unit(procedure, targuist) == provincial


def test_an_arrondissement_s_own_unit_comes_first(procedure):
    arrondissement = Territory.objects.filter(level=Level.ARRONDISSEMENT).select_related("parent").first()
    city = window(arrondissement.parent)
    assert competent_unit(procedure, arrondissement) == city
    own = window(arrondissement)
    assert competent_unit(procedure, arrondissement) == own


def test_a_licence_goes_to_the_commune_whatever_its_size(procedure, targuist):
    procedure.competent_unit_kind = UnitKind.COLLECTIVITY
    commune = window(targuist, UnitKind.COLLECTIVITY)
    assert competent_unit(procedure, targuist) == commune


def test_no_office_yet_is_said_plainly(procedure, targuist):
    with pytest.raises(ValidationError) as refused:
        competent_unit(procedure, targuist)
    assert refused.value.code == "no_competent_office"


def test_the_windows_are_opened_once(db):
    opened = open_single_windows()
    assert opened[UnitKind.URBANISM_SERVICE] > 75 and opened[UnitKind.COLLECTIVITY] > 1400
    assert open_single_windows() == {UnitKind.URBANISM_SERVICE: 0, UnitKind.COLLECTIVITY: 0}
    temara = Territory.objects.get(code="04.501.01.07")
    assert AdministrativeUnit.objects.get(kind=UnitKind.URBANISM_SERVICE, territory=temara).code == "URB-04.501.01.07"


def test_once_worked_out_routing_costs_no_query(procedure, temara, temara_window, committed, django_assert_num_queries):
    committed()
    competent_unit(procedure, temara)
    with django_assert_num_queries(0):
        assert competent_unit(procedure, temara) == temara_window


def test_an_override_set_or_removed_after_a_first_routing_holds_at_once(procedure, targuist, committed):
    provincial = window(targuist.parent)
    own = window(targuist)
    committed()
    assert competent_unit(procedure, targuist) == provincial
    override = WindowOverride.objects.create(commune=targuist, unit=own, reason="x", set_by=UserFactory())
    committed()
    assert competent_unit(procedure, targuist) == own
    override.delete()
    committed()
    assert competent_unit(procedure, targuist) == provincial


def test_an_override_rolled_back_leaves_nothing_cached_of_it(procedure, targuist, committed):
    provincial = window(targuist.parent)
    own = window(targuist)
    committed()
    with pytest.raises(RuntimeError), transaction.atomic():
        WindowOverride.objects.create(commune=targuist, unit=own, reason="x", set_by=UserFactory())
        assert competent_unit(procedure, targuist) == own  # read inside the change: not kept
        raise RuntimeError("rolled back")
    assert competent_unit(procedure, targuist) == provincial


def test_a_group_given_a_commune_after_a_first_routing_takes_its_dossiers(
    procedure, temara, temara_window, committed, django_assert_num_queries
):
    default = AgentGroup.objects.create(unit=temara_window, name="Accueil", is_default=True, order=1)
    temara_group = AgentGroup.objects.create(unit=temara_window, name="Témara", order=2)
    temara_group.communes.add(temara.parent)  # a prefecture is no commune of a dossier
    committed()
    dossier = Dossier(unit=temara_window, commune=temara, procedure=procedure, answers={})
    assert group_for(dossier) == default
    with django_assert_num_queries(0):
        assert group_for(dossier) == default
    temara_group.communes.add(temara)
    committed()
    assert group_for(dossier) == temara_group
    temara_group.communes.remove(temara)
    committed()
    assert group_for(dossier) == default
    temara_group.delete()
    default.order = 3
    default.save()
    committed()
    assert group_for(dossier) == default and group_for(dossier).order == 3
