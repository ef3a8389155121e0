"""The API takes everything the act forms take, with the same rules, and refuses what it does not take."""

from datetime import date, timedelta

import pytest

from raqmana.civil_status.api import ACT_IN_CONTEXT_FIELDS, ActIn
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.forms import ActForm
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act

pytestmark = pytest.mark.django_db

URL = "/api/civil-status/acts"


def as_json(data):
    return {
        key: (value.code if hasattr(value, "code") else value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in data.items()
    }


@pytest.fixture
def payload(birth_data, temara_office):
    return {**as_json(birth_data), "office_code": temara_office.code, "kind": "birth"}


def test_the_api_schema_has_every_field_of_the_act_forms():
    """Fails when a field is added to the forms and not to the API, or the other way round."""
    form_fields = set(ActForm(kind=ActKind.DEATH).fields) | set(ActForm(kind=ActKind.BIRTH).fields)
    assert set(ActIn.model_fields) - ACT_IN_CONTEXT_FIELDS == form_fields


def test_an_abroad_birth_within_the_year_and_its_places(verified_client, agent, payload):
    abroad = {
        **payload,
        "birth_date": str(date.today() - timedelta(days=200)),
        "born_abroad": True,
        "birth_country": "فرنسا",
        "birth_place": "",
        "birth_place_detail": "Lyon",
        "mother_birth_date": "1990-01-01",
        "father_birth_date": "1988-05-05",
    }
    response = verified_client(agent).post(URL, abroad, content_type="application/json")
    assert response.status_code == 201, response.content
    act = Act.objects.get(pk=response.json()["id"])
    assert (act.born_abroad, act.birth_country, act.birth_place_detail) == (True, "فرنسا", "Lyon")
    assert act.father_birth_date == date(1988, 5, 5)

    at_home = verified_client(agent).post(URL, payload, content_type="application/json")
    assert at_home.status_code == 201 and at_home.json()["birth_place"] == payload["birth_place"]
    assert Act.objects.get(pk=at_home.json()["id"]).birth_place.code == payload["birth_place"]


def test_a_late_declaration_carries_its_judgment(verified_client, agent, payload):
    late = {**payload, "birth_date": "2020-01-01", "mother_birth_date": "1990-01-01"}
    refused = verified_client(agent).post(URL, late, content_type="application/json")
    assert refused.status_code == 422 and "late_judgment_number" in refused.json()["detail"]
    judged = {
        **late,
        "late_judgment_number": "12/2026",
        "late_judgment_court": "المحكمة",
        "late_judgment_date": "2026-01-05",
    }
    response = verified_client(agent).post(URL, judged, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Act.objects.get(pk=response.json()["id"]).late_judgment_date == date(2026, 1, 5)


@pytest.mark.parametrize("field", ["number", "year", "idcs", "state", "name_key_ar", "signed_by", "colour"])
def test_unknown_and_system_fields_are_refused_by_name(verified_client, agent, payload, field):
    response = verified_client(agent).post(URL, {**payload, field: "1"}, content_type="application/json")
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
    assert not Act.objects.exists()


def test_an_unknown_commune_code_is_refused_by_name(verified_client, agent, payload):
    response = verified_client(agent).post(URL, {**payload, "birth_place": "99.999"}, content_type="application/json")
    assert response.status_code == 422 and "birth_place" in response.json()["detail"]


def test_errors_are_in_the_persons_language(verified_client, agent, payload, settings):
    client = verified_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(URL, {**payload, "mother_birth_date": str(date.today())}, content_type="application/json")
    assert response.status_code == 422 and "La mère" in response.json()["detail"]


def test_the_draft_answer_carries_the_duplicate_warning(
    verified_client, agent, officer, payload, birth_data, temara_office
):
    first = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    response = verified_client(agent).post(URL, payload, content_type="application/json")
    assert response.status_code == 201
    [duplicate] = response.json()["duplicates"]
    assert duplicate["id"] == first.pk and duplicate["reference"] == first.reference
    assert duplicate["first_name_ar"] == "يوسف" and duplicate["office_name_fr"] == temara_office.name_fr
    assert duplicate["reason"] == "same_day_similar_name" and duplicate["reason_text"]


def test_a_death_by_api_names_the_deceased_by_idcs(verified_client, agent, officer, birth_data, temara_office):
    born = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    death = {
        "office_code": temara_office.code, "kind": "death", "sex": "M", "first_name_ar": "يوسف",
        "family_name_ar": "العلوي", "birth_date": str(birth_data["birth_date"]), "death_date": str(date.today()),
        "death_place": "04.501.01.07", "death_place_detail": "مستشفى", "declarant_name": "محمد العلوي",
        "declarant_relation": "other_relative", "declared_on": str(date.today()), "deceased_idcs": born.idcs,
    }  # fmt: skip
    response = verified_client(agent).post(URL, death, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["deceased_idcs"] == born.idcs and response.json()["death_place"] == "04.501.01.07"
    other_sex = verified_client(agent).post(URL, {**death, "sex": "F"}, content_type="application/json")
    assert other_sex.status_code == 422 and "deceased_idcs" in other_sex.json()["detail"]
