"""The catalogue in the administration: an edited form is saved as a new version by its editor, a faulty one is
refused beside the field with everything typed kept, a delay above the law's cap is refused, and versions are never
edited nor deleted."""

import json

import pytest
from django import forms
from django.urls import reverse

from raqmana.accounts.models import User
from raqmana.accounts.tests.factories import PASSWORD
from raqmana.procedures.loading import load_definitions
from raqmana.procedures.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def dgct():
    return User.objects.create_superuser("dgct@example.ma", PASSWORD, full_name="DGCT")


@pytest.fixture
def admin_client(verified_client, dgct):
    load_definitions()
    return verified_client(dgct)


def change_url(procedure):
    return reverse("admin:procedures_procedure_change", args=[procedure.pk])


def form_data(page):
    """What the change page would send back untouched: its form's values and its inlines' management forms."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for part in [formset.management_form, *formset.forms]:
            for name in part.fields:
                value = part[name].value()
                if value is not None:
                    data[part.add_prefix(name)] = value
    return data


def test_the_catalogue_is_listed_and_a_procedure_shows_its_form(admin_client):
    listing = admin_client.get(reverse("admin:procedures_procedure_changelist"), {"q": "permit"})
    assert listing.status_code == 200 and "building_permit_small" in listing.text
    procedure = Procedure.objects.get(code="building_permit_small")
    page = admin_client.get(change_url(procedure))
    assert page.status_code == 200
    assert page.context["adminform"].form["definition"].value() == json.dumps(
        procedure.current_version.definition, ensure_ascii=False, indent=2
    )
    assert procedure.current_version.source in page.text  # definitions/building_permit_small.json@<its version>


def test_an_edited_form_is_saved_as_a_new_version_by_its_editor(admin_client, dgct):
    procedure = Procedure.objects.get(code="repair_permit")
    first = procedure.current_version
    page = admin_client.get(change_url(procedure))
    definition = json.loads(form_data(page)["definition"])
    definition["fields"][-1]["max"] = 12

    saved = admin_client.post(
        change_url(procedure), {**form_data(page), "definition": json.dumps(definition, ensure_ascii=False)}
    )

    assert saved.status_code == 302
    procedure.refresh_from_db()
    version = procedure.current_version
    assert (version.number, version.source, version.created_by) == (first.number + 1, "admin", dgct)
    assert version.definition == definition
    first.refresh_from_db()
    assert first.definition["fields"][-1]["max"] == 10 and procedure.versions.count() == 2


def test_saving_the_same_form_adds_no_version(admin_client):
    procedure = Procedure.objects.get(code="repair_permit")
    page = admin_client.get(change_url(procedure))
    data = form_data(page)
    compact = json.dumps(json.loads(data["definition"]), ensure_ascii=False)  # the same form, spaced otherwise
    saved = admin_client.post(change_url(procedure), {**data, "definition": compact, "delay_days": "9"})
    assert saved.status_code == 302
    procedure.refresh_from_db()
    assert procedure.delay_days == 9 and procedure.versions.count() == 1


def test_bad_json_is_refused_beside_the_field_and_what_was_typed_is_kept(admin_client):
    procedure = Procedure.objects.get(code="demolition_permit")
    page = admin_client.get(change_url(procedure))
    typed = form_data(page)["definition"].replace('"fields": [', '"fields": [,', 1)

    admin_client.cookies["django_language"] = "fr"  # the language switch's choice
    refused = admin_client.post(
        change_url(procedure), {**form_data(page), "definition": typed, "title_fr": "Permis de démolition"}
    )

    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert list(form.errors) == ["definition"]
    assert form["definition"].value() == typed and form["title_fr"].value() == "Permis de démolition"
    assert "JSON" in form.errors["definition"][0] and "ligne" in form.errors["definition"][0]
    procedure.refresh_from_db()
    assert procedure.versions.count() == 1 and procedure.title_fr == "Permis de démolir"


def test_a_form_breaking_the_law_is_refused_with_its_messages(admin_client):
    procedure = Procedure.objects.get(code="building_permit_small")
    page = admin_client.get(change_url(procedure))
    definition = json.loads(form_data(page)["definition"])
    definition["requirements"][0]["form"] = "legalised_signature"
    definition["commission"] = {"members": [{"member": "commune"}]}
    typed = json.dumps(definition, ensure_ascii=False, indent=1)

    admin_client.cookies["django_language"] = "en"
    refused = admin_client.post(change_url(procedure), {**form_data(page), "definition": typed})

    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors["definition"]
    assert any("legalised signature (Law 55-19, art. 7): architect_plans" in error for error in errors)
    assert any("not reviewed by a commission" in error for error in errors)
    assert refused.context["adminform"].form["definition"].value() == typed
    assert procedure.versions.count() == 1


def test_a_delay_above_the_cap_is_refused_in_the_administration(admin_client):
    procedure = Procedure.objects.get(code="economic_activity_licence")  # an investment project: 30 days at most
    page = admin_client.get(change_url(procedure))
    admin_client.cookies["django_language"] = "fr"
    refused = admin_client.post(change_url(procedure), {**form_data(page), "delay_days": "45"})
    assert refused.status_code == 200
    [error] = refused.context["adminform"].form.errors["delay_days"]
    assert "45 jours" in error and "30 jours" in error and "loi 55-19, art. 16" in error
    accepted = admin_client.post(change_url(procedure), {**form_data(page), "delay_days": "30"})
    assert accepted.status_code == 302
    procedure.refresh_from_db()
    assert procedure.delay_days == 30


def test_a_commission_cannot_be_switched_on_without_its_members(admin_client):
    procedure = Procedure.objects.get(code="repair_permit")
    page = admin_client.get(change_url(procedure))
    refused = admin_client.post(change_url(procedure), {**form_data(page), "through_commission": "on"})
    assert refused.status_code == 200 and "through_commission" in refused.context["adminform"].form.errors
    procedure.refresh_from_db()
    assert not procedure.through_commission


def test_versions_are_never_edited_nor_deleted(admin_client):
    procedure = Procedure.objects.get(code="occupancy_permit")
    version = procedure.current_version
    assert admin_client.get(reverse("admin:procedures_procedureversion_delete", args=[version.pk])).status_code == 403
    assert admin_client.post(reverse("admin:procedures_procedureversion_delete", args=[version.pk])).status_code == 403
    assert admin_client.get(reverse("admin:procedures_procedure_delete", args=[procedure.pk])).status_code == 403
    view = admin_client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk]))
    assert view.status_code == 200 and "<pre" in view.text
    edited = admin_client.post(
        reverse("admin:procedures_procedureversion_change", args=[version.pk]), {"source": "edited"}
    )
    assert edited.status_code == 403
    # The inline offers no deletion, and a forged one is ignored.
    page = admin_client.get(change_url(procedure))
    assert "versions-0-DELETE" not in page.text
    admin_client.post(change_url(procedure), {**form_data(page), "versions-0-DELETE": "on"})
    assert ProcedureVersion.objects.filter(pk=version.pk).exists()
    listing = admin_client.get(reverse("admin:procedures_procedureversion_changelist"))
    assert listing.status_code == 200 and "delete_selected" not in listing.text


def test_a_procedure_added_in_the_administration_starts_with_its_first_version(admin_client, dgct):
    page = admin_client.get(reverse("admin:procedures_procedure_add"))
    assert page.status_code == 200
    definition = Procedure.objects.get(code="public_domain_occupation").current_version.definition
    typed = {
        **form_data(page),
        "code": "street_vending",
        "category": "public_domain",
        "order": "20",
        "published": "on",
        **{f"title_{code}": text for code, text in [("ar", "البيع المتجول"), ("fr", "Vente ambulante"),
                                                      ("en", "Street vending")]},
        **{f"description_{code}": "—" for code in ("ar", "fr", "en")},
        **{f"legal_basis_{code}": "57-19" for code in ("ar", "fr", "en")},
        "competent_unit_kind": "collectivity",
        "citizens_may_file": "on",
        "delay_days": "15",
    }  # fmt: skip
    published_without_form = admin_client.post(reverse("admin:procedures_procedure_add"), typed)
    assert "definition" in published_without_form.context["adminform"].form.errors
    added = admin_client.post(
        reverse("admin:procedures_procedure_add"), {**typed, "definition": json.dumps(definition)}
    )
    assert added.status_code == 302
    procedure = Procedure.objects.get(code="street_vending")
    assert (procedure.current_version.number, procedure.current_version.source) == (1, "admin")
    assert procedure.current_version.created_by == dgct and procedure.current_version.definition == definition


def test_a_procedure_keeps_its_code(admin_client):
    procedure = Procedure.objects.get(code="repair_permit")
    page = admin_client.get(change_url(procedure))
    assert "code" not in page.context["adminform"].form.fields
    admin_client.post(change_url(procedure), {**form_data(page), "code": "renamed"})
    assert Procedure.objects.filter(code="repair_permit").exists()


def test_a_group_s_rule_names_its_field_and_answers(temara_window, permits_agent):
    from raqmana.procedures.admin import AgentGroupForm

    form = AgentGroupForm({"unit": temara_window.pk, "name": "Commerce", "order": 5, "field_key": "use"})
    assert not form.is_valid() and "field_values" in form.errors
    form = AgentGroupForm(
        {"unit": temara_window.pk, "name": "Défaut", "order": 1, "is_default": True, "field_key": "use",
         "field_values": '["commercial"]'}
    )  # fmt: skip
    assert not form.is_valid() and "is_default" in form.errors
    form = AgentGroupForm(
        {"unit": temara_window.pk, "name": "Commerce", "order": 5, "field_key": "use", "field_values": '["commercial"]',
         "members": [permits_agent.pk]}
    )  # fmt: skip
    assert form.is_valid(), form.errors


def test_the_routing_pages_open_in_the_admin(admin_client, temara_window):
    assert admin_client.get("/admin/procedures/agentgroup/add/").status_code in (200, 302)
    assert admin_client.get("/admin/procedures/windowoverride/add/").status_code in (200, 302)
