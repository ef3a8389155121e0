from datetime import date, timedelta

import pytest

from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act

pytestmark = pytest.mark.django_db


def test_an_establishment_files_with_its_key(client, temara_office, hospital_key):
    key = hospital_key
    payload = {"kind": "birth", "sex": "F", "event_date": str(date.today()), "first_name_ar": "سلمى"}
    assert (
        client.post("/api/civil-status/pre-declarations", payload, content_type="application/json").status_code == 401
    )
    response = client.post(
        "/api/civil-status/pre-declarations",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201
    assert response.json()["office_code"] == temara_office.code
    future = {**payload, "event_date": str(date.today() + timedelta(days=3))}
    refused = client.post(
        "/api/civil-status/pre-declarations",
        future,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert refused.status_code == 422 and "event_date" in refused.json()["detail"]


def test_agents_draft_sign_search_and_read_with_a_reason(verified_client, temara_office, agent, officer, birth_data):
    payload = {
        **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in birth_data.items() if k != "birth_place"},
        "office_code": temara_office.code,
        "kind": "birth",
    }
    agent_client = verified_client(agent)
    drafted = agent_client.post("/api/civil-status/acts", payload, content_type="application/json")
    assert drafted.status_code == 201, drafted.content
    act_id = drafted.json()["id"]
    assert agent_client.post(f"/api/civil-status/acts/{act_id}/sign").status_code == 403

    officer_client = verified_client(officer)
    signed = officer_client.post(f"/api/civil-status/acts/{act_id}/sign")
    assert signed.status_code == 200 and signed.json()["reference"].endswith("/1")

    assert officer_client.get("/api/civil-status/acts", {"name": "Yousef Alaoui"}).status_code == 422
    found = officer_client.get("/api/civil-status/acts", {"name": "Yousef Alaoui", "reason": "Duplicate check"}).json()
    assert [row["id"] for row in found["results"]] == [act_id] and found["total"] == 1
    assert AuditEvent.objects.get(action="act.searched").details["found"] == 1
    assert officer_client.get(f"/api/civil-status/acts/{act_id}").status_code == 422  # no reason given
    read = officer_client.get(f"/api/civil-status/acts/{act_id}", {"reason": "Checking before an extract"})
    assert read.status_code == 200 and read.json()["mentions"] == []
    assert AuditEvent.objects.filter(action="act.read", reason="Checking before an extract").exists()


def test_bad_input_comes_back_as_422_with_the_field(verified_client, temara_office, agent, birth_data):
    payload = {
        **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in birth_data.items() if k != "birth_place"},
        "office_code": temara_office.code,
        "kind": "birth",
        "mother_birth_date": str(date.today() - timedelta(days=300)),
    }
    response = verified_client(agent).post("/api/civil-status/acts", payload, content_type="application/json")
    assert response.status_code == 422 and "mother_birth_date" in response.json()["detail"]
    assert not Act.objects.exists()


def test_other_offices_acts_are_invisible_through_the_api(verified_client, temara_office, agent, officer, birth_data):
    from raqmana.access.roles import Role
    from raqmana.access.services import grant_role
    from raqmana.accounts.tests.factories import UserFactory
    from raqmana.territories.models import CivilStatusOffice

    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    stranger = UserFactory()
    grant_role(
        stranger,
        Role.CIVIL_STATUS_AGENT,
        unit=CivilStatusOffice.objects.get(territory__code="04.501.01.05"),
        by=None,
        reason="t",
    )
    client = verified_client(stranger)
    assert client.get(f"/api/civil-status/acts/{act.pk}", {"reason": "curious"}).status_code == 404
    assert client.get("/api/civil-status/acts", {"name": "Youssef", "reason": "x"}).json()["results"] == []


def test_the_api_searches_by_commune_of_birth_by_its_code(verified_client, temara_office, agent, officer, birth_data):
    act = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    client = verified_client(officer)
    criteria = {"name": "Youssef", "birth_year": birth_data["birth_date"].year, "reason": "Duplicate check"}
    born_here = client.get("/api/civil-status/acts", {**criteria, "birth_place": birth_data["birth_place"].code})
    assert [row["id"] for row in born_here.json()["results"]] == [act.pk]
    assert client.get("/api/civil-status/acts", {**criteria, "birth_place": "04.501.01.05"}).json()["total"] == 0
    unknown = client.get("/api/civil-status/acts", {**criteria, "birth_place": "99.999"})
    assert unknown.status_code == 422 and "birth_place" in unknown.json()["detail"]
    blank_reason = client.get("/api/civil-status/acts", {**criteria, "reason": "  "})
    assert blank_reason.status_code == 422
    assert AuditEvent.objects.filter(action="act.searched").count() == 2
