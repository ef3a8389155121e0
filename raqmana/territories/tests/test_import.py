import pytest
from django.core.management import call_command

from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory, TerritoryLink
from raqmana.territories.services import import_territories

pytestmark = pytest.mark.django_db


def test_the_whole_hierarchy_is_loaded():
    counts = {level: Territory.objects.filter(level=level).count() for level in Level}
    assert counts[Level.REGION] == 12
    assert counts[Level.PROVINCE] + counts[Level.PREFECTURE] + counts[Level.PREFECTURE_OF_ARRONDISSEMENTS] == 83
    assert counts[Level.PREFECTURE_OF_ARRONDISSEMENTS] == 8
    assert counts[Level.COMMUNE] == 1503
    assert counts[Level.ARRONDISSEMENT] == 41


def test_one_office_per_commune_and_arrondissement():
    assert CivilStatusOffice.objects.count() == 1503 + 41
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    assert office.name_ar == "مكتب الحالة المدنية تمارة"
    assert office.name_fr == "Bureau d'état civil de Témara"
    assert CivilStatusOffice.objects.get(territory__code="06.141.01.01").name_fr == "Bureau d'état civil d'Anfa"


def test_names_codes_and_populations_come_from_hcp():
    temara = Territory.objects.get(code="04.501.01.07")
    assert (temara.name_ar, temara.name_fr, temara.level, temara.commune_kind) == (
        "تمارة",
        "Témara",
        "commune",
        "urban",
    )
    assert temara.population_2024 == 297098
    assert temara.parent.code == "04.501"
    assert temara.parent.parent.code == "04"


def test_casablanca_arrondissements_answer_to_commune_and_prefecture_of_arrondissements():
    anfa = Territory.objects.get(code="06.141.01.01")
    ancestors = set(TerritoryLink.objects.filter(descendant=anfa).values_list("ancestor__code", flat=True))
    assert ancestors == {"06.141.01.01", "06.141.01.0", "06.141.01.00", "06.141", "06"}
    assert anfa.parent.code == "06.141.01.0"


def test_import_is_idempotent_and_keeps_local_edits():
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    office.address = "Avenue Mohammed V, Témara"
    office.code = "BEC-TEMARA-1"
    office.save()
    links = TerritoryLink.objects.count()

    report = import_territories()

    assert (report.created, report.updated, report.offices_created) == (0, 0, 0)
    assert Territory.objects.count() == 12 + 83 + 1503 + 41
    assert TerritoryLink.objects.count() == links
    office.refresh_from_db()
    assert (office.address, office.code) == ("Avenue Mohammed V, Témara", "BEC-TEMARA-1")


def test_import_refreshes_changed_reference_data():
    Territory.objects.filter(code="04.501.01.07").update(name_fr="Temara (old spelling)", population_2024=1)
    report = import_territories()
    assert report.updated == 1
    assert Territory.objects.get(code="04.501.01.07").name_fr == "Témara"


def test_command_credits_the_source(capsys):
    call_command("load_territories")
    out = capsys.readouterr().out
    assert "0 created" in out
    assert "Haut-Commissariat au Plan" in out and "CC BY 4.0" in out
