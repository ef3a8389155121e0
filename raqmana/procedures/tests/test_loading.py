"""The catalogue's procedures load from their versioned definition files: every shipped file passes the law's checks,
loading twice changes nothing, a raised version adds a form version and keeps the earlier ones, a faulty file is
refused with all its faults while the others load, and a delay above the law's cap is refused (Law 55-19, art. 16)."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from raqmana.accounts.tests.factories import UserFactory
from raqmana.procedures import catalogue
from raqmana.procedures.constants import DocumentSource
from raqmana.procedures.formdefs import FieldType
from raqmana.procedures.loading import DEFINITIONS_DIR, Outcome, load_definitions, read_definition
from raqmana.procedures.models import Dossier, Procedure, ProcedureVersion
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

SHIPPED = sorted(DEFINITIONS_DIR.glob("*.json"))
CODES = {
    "building_permit_small",
    "building_permit_large",
    "occupancy_permit",
    "certificate_of_conformity",
    "subdivision_permit",
    "repair_permit",
    "demolition_permit",
    "economic_activity_licence",
    "public_domain_occupation",
}


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture
def definitions(tmp_path):
    """A copy of the shipped files, to change."""
    return Path(shutil.copytree(DEFINITIONS_DIR, tmp_path / "definitions"))


# The shipped files, without the database


@pytest.mark.parametrize("path", SHIPPED, ids=[path.stem for path in SHIPPED])
def test_every_shipped_definition_passes_the_checks(path):
    entry = read_definition(path)
    form = catalogue.check_definition(entry.form, through_commission=entry.values["through_commission"])
    # Who applies comes from the civil status register, once; what an administration holds is never uploaded.
    assert len(form.civil_status_links()) == 1
    for requirement in form.requirements:
        if requirement.source != DocumentSource.APPLICANT:
            assert requirement.kind not in {item.document for item in form.file_fields()}


def test_the_nine_procedures_are_shipped():
    assert {path.stem for path in SHIPPED} == CODES


def test_a_building_permit_takes_the_land_title_from_the_land_registry_and_computes_the_construction_tax():
    for code in ("building_permit_small", "building_permit_large"):
        entry = read_definition(DEFINITIONS_DIR / f"{code}.json")
        form = catalogue.check_definition(entry.form)
        title = next(item for item in form.requirements if item.kind == "land_title_certificate")
        assert title.source == DocumentSource.ANOTHER_ADMINISTRATION
        tax = entry.form["fees"]["construction_tax"]
        area, use = form.field(tax["area_field"]), form.field(tax["use_field"])
        assert area.type == FieldType.NUMBER and area.unit["fr"] == "m²" and area.min >= 1
        # Every use is taxed in its category of Law 47-06; an exemption is the approving agent's to flag.
        assert use.type == FieldType.CHOICE and set(tax["uses"]) == {choice.value for choice in use.choices}
        assert entry.values["silence_means_approval"] and not entry.values["delay_in_working_days"]
    small = read_definition(DEFINITIONS_DIR / "building_permit_small.json")
    assert small.values["delay_days"] == 10
    assert small.form["fees"]["construction_tax"]["uses"]["individual_housing"] == "individual_housing"
    assert read_definition(DEFINITIONS_DIR / "building_permit_large.json").values["delay_days"] == 25


# Loading


@pytest.mark.django_db
def test_the_shipped_files_load_into_the_catalogue():
    report = load_definitions()
    assert {item.code for item in report.of(Outcome.CREATED)} == CODES and not report.warnings
    small = Procedure.objects.get(code="building_permit_small")
    assert (small.delay_days, small.silence_means_approval, small.through_commission) == (10, True, False)
    assert small.competent_unit_kind == "urbanism_service" and small.published
    assert small.title_ar == "رخصة البناء – المشاريع الصغرى"
    shipped = read(DEFINITIONS_DIR / "building_permit_small.json")["version"]
    assert small.current_version.number == shipped
    assert small.current_version.source == f"definitions/building_permit_small.json@{shipped}"
    assert small.current_version.form.site == "project_address"
    assert small.current_version.created_by is None
    large = Procedure.objects.get(code="building_permit_large")
    members = [member["member"] for member in large.current_version.definition["commission"]["members"]]
    assert members[:3] == ["commune", "province", "urban_agency"] and large.through_commission
    subdivision = Procedure.objects.get(code="subdivision_permit")
    assert "land_registry" in [
        item["member"] for item in subdivision.current_version.definition["commission"]["members"]
    ]
    assert Procedure.objects.get(code="public_domain_occupation").competent_unit_kind == "collectivity"
    assert all(procedure.delay_days <= 60 for procedure in Procedure.objects.all())
    # The form as dossiers read it.
    assert large.current_version.form.field("project_kind").choice_text("housing_group")


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load_definitions()
    versions = list(ProcedureVersion.objects.values_list("pk", flat=True))
    again = load_definitions()
    assert {item.outcome for item in again.files} == {Outcome.UNCHANGED} and not again.warnings
    assert list(ProcedureVersion.objects.values_list("pk", flat=True)) == versions


@pytest.mark.django_db
def test_a_raised_version_adds_a_form_version_and_keeps_the_earlier_ones(definitions):
    load_definitions(definitions)
    procedure = Procedure.objects.get(code="repair_permit")
    first = procedure.current_version
    dossier = Dossier.objects.create(
        procedure=procedure,
        version=first,
        applicant=UserFactory(),
        commune=Territory.objects.filter(level=Level.COMMUNE).first(),
    )
    path = definitions / "repair_permit.json"
    data = read(path)
    shipped = data["version"]
    data["version"] = raised = shipped + 1
    data["form"]["fields"][-1]["max"] = 12  # more photographs
    write(path, data)

    report = load_definitions(definitions)

    [changed] = report.of(Outcome.UPDATED)
    assert (changed.code, changed.version_added, changed.changes) == ("repair_permit", raised, [])
    procedure.refresh_from_db()
    assert procedure.current_version.number == raised
    assert procedure.current_version.source == f"definitions/repair_permit.json@{raised}"
    assert list(procedure.versions.values_list("number", flat=True)) == [raised, shipped]
    first.refresh_from_db()
    assert first.definition["fields"][-1]["max"] == 10
    dossier.refresh_from_db()
    assert dossier.version == first
    # Another procedure's dossier-less version stays as it was.
    assert Procedure.objects.get(code="demolition_permit").versions.count() == 1
    assert {item.outcome for item in load_definitions(definitions).files} == {Outcome.UNCHANGED}


@pytest.mark.django_db
def test_the_catalogue_entry_follows_its_file_without_a_new_form(definitions):
    load_definitions(definitions)
    path = definitions / "demolition_permit.json"
    data = read(path)
    data["delay_days"] = 12
    data["title"]["en"] = "Permit to demolish"
    write(path, data)
    [changed] = load_definitions(definitions).of(Outcome.UPDATED)
    assert changed.version_added is None and sorted(changed.changes) == ["delay_days", "title_en"]
    procedure = Procedure.objects.get(code="demolition_permit")
    assert (procedure.delay_days, procedure.title_en, procedure.versions.count()) == (12, "Permit to demolish", 1)


@pytest.mark.django_db
def test_a_file_below_the_form_in_force_loads_no_form_and_warns(definitions):
    load_definitions(definitions)
    procedure = Procedure.objects.get(code="occupancy_permit")
    edited = dict(procedure.current_version.definition, fields=procedure.current_version.definition["fields"][:])
    edited["fields"][-1] = dict(edited["fields"][-1], max=3)
    catalogue.add_version(procedure, edited, source="admin", by=UserFactory())

    with translation.override("en"):
        report = load_definitions(definitions)

    [item] = [item for item in report.files if item.code == "occupancy_permit"]
    assert item.outcome == Outcome.UNCHANGED and item.version_added is None
    edited_number = read(definitions / "occupancy_permit.json")["version"] + 1
    assert f"below the form in force, version {edited_number}" in item.warnings[0]
    procedure.refresh_from_db()
    assert procedure.current_version.number == edited_number and procedure.current_version.source == "admin"


@pytest.mark.django_db
def test_a_changed_form_under_the_same_version_is_not_loaded_and_warns(definitions):
    load_definitions(definitions)
    path = definitions / "subdivision_permit.json"
    data = read(path)
    data["form"]["fields"][-1]["max"] = 2
    write(path, data)
    with translation.override("en"):
        [item] = [item for item in load_definitions(definitions).files if item.code == "subdivision_permit"]
    assert item.outcome == Outcome.UNCHANGED and "its version was not raised" in item.warnings[0]
    assert Procedure.objects.get(code="subdivision_permit").versions.count() == 1


@pytest.mark.django_db
def test_a_faulty_file_is_refused_with_every_fault_while_the_others_load(definitions):
    path = definitions / "building_permit_small.json"
    data = read(path)
    del data["title"]["en"]
    data["delay_days"] = 0
    data["silence"] = True
    data["form"]["fields"].append({"key": "colour", "type": "colour", "label": {"ar": "ل", "fr": "c", "en": "c"}})
    data["form"]["commission"] = {"members": [{"member": "mayor"}]}
    write(path, data)
    # Law 55-19 is checked on a well-formed form: another file asks for a certified copy.
    other = definitions / "repair_permit.json"
    data = read(other)
    data["form"]["requirements"][0]["form"] = "certified_copy"
    write(other, data)

    with translation.override("en"):
        report = load_definitions(definitions)

    first, second = report.refused
    assert (first.file, second.file) == ("building_permit_small.json", "repair_permit.json")
    assert first.errors == [
        "Unknown key “silence”.",
        "title: a text in Arabic, French and English (ar, fr, en).",
        "delay_days: The delay is a whole number of days, one at least.",
        "form: fields[20] (colour): unknown field type colour.",
        "form: commission.members[0]: a member is {“member”: one of commune, province, urban_agency, "
        "land_registry, civil_protection, utilities}, with an optional “shown_if”.",
        "form: commission: commune sits on every commission: list it.",
        "form: commission: province sits on every commission: list it.",
        "form: commission: urban_agency sits on every commission: list it.",
        "form: commission: this procedure is not reviewed by a commission: list no members.",
    ]
    assert second.errors == [
        "form: requirements: A file may not require a certified copy (Law 55-19, art. 7): building_photos."
    ]
    assert not Procedure.objects.filter(code__in=["building_permit_small", "repair_permit"]).exists()
    assert {item.code for item in report.of(Outcome.CREATED)} == CODES - {"building_permit_small", "repair_permit"}


@pytest.mark.django_db
def test_an_administration_held_document_cannot_be_uploaded(definitions):
    path = definitions / "repair_permit.json"
    data = read(path)
    data["form"]["fields"].append(
        {
            "key": "land_title_copy",
            "type": "file",
            "document": "land_title_certificate",
            "label": {"ar": "الرسم العقاري", "fr": "Titre foncier", "en": "Land title"},
        }
    )
    write(path, data)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        read_definition(path)
    assert any("held by an administration: it is pulled, not uploaded" in message for message in refused.value.messages)


@pytest.mark.parametrize(("delay", "investment", "cap"), [(61, False, 60), (90, False, 60), (31, True, 30)])
def test_a_delay_above_the_legal_cap_is_refused(definitions, delay, investment, cap):
    path = definitions / "public_domain_occupation.json"
    data = read(path)
    data["delay_days"], data["investment_project"] = delay, investment
    write(path, data)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        read_definition(path)
    [message] = refused.value.messages
    assert message.startswith("delay_days: ")
    assert f"{delay} jours" in message and f"{cap} jours" in message and "loi 55-19, art. 16" in message


@pytest.mark.django_db
def test_a_delay_above_sixty_days_refuses_the_file_and_changes_nothing(definitions):
    load_definitions(definitions)
    path = definitions / "economic_activity_licence.json"
    data = read(path)
    data["delay_days"], data["investment_project"], data["version"] = 75, False, data["version"] + 1
    write(path, data)
    report = load_definitions(definitions)
    assert [item.code for item in report.refused] == ["economic_activity_licence"]
    procedure = Procedure.objects.get(code="economic_activity_licence")
    assert procedure.delay_days == 15 and procedure.versions.count() == 1


@pytest.mark.django_db
def test_one_transaction_per_file(definitions, monkeypatch):
    """A file that fails while it is written (here a version taken meanwhile) leaves its procedure as it was."""
    load_definitions(definitions)
    path = definitions / "repair_permit.json"
    data = read(path)
    data["version"], data["delay_days"] = data["version"] + 1, 9
    write(path, data)

    def taken(*args, **kwargs):
        raise ValidationError("The version is not above the latest one.")

    monkeypatch.setattr(catalogue, "add_version", taken)
    report = load_definitions(definitions)
    assert [item.code for item in report.refused] == ["repair_permit"]
    assert Procedure.objects.get(code="repair_permit").delay_days == 10


@pytest.mark.django_db
def test_a_file_is_named_after_its_code(definitions):
    data = read(definitions / "repair_permit.json")
    write(definitions / "repair_permit_copy.json", data)
    with translation.override("en"):
        report = load_definitions(definitions)
    [refused] = report.refused
    assert refused.file == "repair_permit_copy.json" and "not the file's name" in refused.errors[0]


def test_bad_json_is_refused_with_its_place(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"code": "broken",\n  "version": }', encoding="utf-8")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        read_definition(path)
    assert "not valid JSON" in refused.value.messages[0] and "line 2" in refused.value.messages[0]


# What parse_definition leaves aside: commission, fees, the texts


def shipped_form(code):
    return read(DEFINITIONS_DIR / f"{code}.json")["form"]


def faults(definition, **kwargs):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        catalogue.check_definition(definition, **kwargs)
    return refused.value.messages


def test_a_commission_member_sits_on_a_condition_the_form_can_meet():
    form = shipped_form("building_permit_large")
    form["commission"]["members"][3]["shown_if"] = {"field": "project_kind", "in": ["subdivision"]}
    form["commission"]["members"][4]["shown_if"] = {"field": "nowhere", "in": [True]}
    form["commission"]["members"].append({"member": "province"})
    messages = faults(form, through_commission=True)
    assert any("project_kind offers no answer subdivision" in message for message in messages)
    assert any("nowhere is no choice or yes-or-no field" in message for message in messages)
    assert any("province is listed twice" in message for message in messages)


def test_a_commission_procedure_lists_its_members_and_the_permanent_ones_sit_always():
    form = shipped_form("subdivision_permit")
    del form["commission"]
    assert any("lists its members" in message for message in faults(form, through_commission=True))
    form["commission"] = {
        "members": [{"member": "commune", "shown_if": {"field": "in_phases", "in": [True]}}, {"member": "province"}],
        "opinion_working_days": 90,
    }
    messages = faults(form, through_commission=True)
    assert "commission.members[0]: commune sits on every commission." in messages
    assert "commission: urban_agency sits on every commission: list it." in messages
    assert "commission.opinion_working_days: a whole number of working days, from 1 to 60." in messages


def test_the_construction_tax_names_a_number_and_a_choice_field_and_taxes_its_answers():
    form = shipped_form("building_permit_small")
    form["fees"] = {
        "construction_tax": {
            "area_field": "use",
            "use_field": "covered_area",
            "uses": {"individual_housing": "villa"},
        },
        "stamp_duty": {},
    }
    messages = faults(form)
    assert any("area field use is no number field" in message for message in messages)
    assert any("use field covered_area is no choice field" in message for message in messages)
    assert any("unknown fee “stamp_duty”" in message for message in messages)
    assert any("taxed as one of individual_housing, collective, not villa" in message for message in messages)
    form["fees"] = {
        "construction_tax": {"area_field": "covered_area", "use_field": "use", "uses": {"shed": "collective"}}
    }
    assert faults(form) == ["fees.construction_tax.uses: use offers no answer shed."]
    form["fees"] = {"construction_tax": {"area_field": "covered_area", "use_field": "use"}}
    assert any("the “uses” it taxes" in message for message in faults(form))


def test_labels_pass_the_platforms_text_check():
    form = shipped_form("repair_permit")
    form["fields"][3]["label"]["fr"] = "Adresse\u202e du bâtiment"
    form["fields"][3]["help"]["en"] = "Choose the commune <script>"
    form["extra"] = 1
    messages = faults(form)
    assert any(message.startswith("fields[3].label.fr: ") and "U+202E" in message for message in messages)
    assert any(message.startswith("fields[3].help.en: ") and "<script" in message for message in messages)
    assert any("Unknown key “extra”" in message for message in messages)


# The command


@pytest.mark.django_db
def test_the_command_reports_and_fails_on_a_refused_file(definitions, capsys):
    call_command("load_procedures", directory=definitions)
    assert "9 created" in capsys.readouterr().out
    data = read(definitions / "repair_permit.json")
    data["delay_days"] = 0
    write(definitions / "repair_permit.json", data)
    with pytest.raises(CommandError, match="1 definition file"):
        call_command("load_procedures", directory=definitions)
    captured = capsys.readouterr()
    assert "8 unchanged" in captured.out and "repair_permit.json: refused" in captured.err
