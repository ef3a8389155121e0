"""The complaints' API: filing, the anonymous code given once, the office's scoped queue and steps, the figures."""

import pytest
from django.test import Client

from raqmana.complaints.models import Complaint
from raqmana.procedures.tests.test_pages import signed_in

pytestmark = pytest.mark.django_db


def client_of(user):
    client = Client()
    client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    return client


def body(temara, **changes):
    return {
        "kind": "suggestion",
        "category": "markets",
        "collectivity_code": temara.code,
        "subject": "Horaires du souk",
        "text": "Ouvrir le souk hebdomadaire plus tôt en été.",
        **changes,
    }


def test_a_person_files_through_the_api_and_reads_their_request(complainant, temara):
    client = client_of(complainant)
    answer = client.post("/api/complaints/", body(temara), content_type="application/json")
    assert answer.status_code == 201, answer.content
    filed = answer.json()
    assert filed["state"] == "received" and filed["follow_code"] == "" and filed["late"] is False
    assert client.get(f"/api/complaints/mine/{filed['id']}").json()["reference"] == filed["reference"]
    assert [one["id"] for one in client.get("/api/complaints/").json()] == [filed["id"]]


def test_a_region_s_services_receive_a_request_through_the_api(complainant, temara):
    region = temara.parent.parent
    answer = client_of(complainant).post(
        "/api/complaints/", body(temara, collectivity_code=region.code), content_type="application/json"
    )
    assert answer.status_code == 201 and answer.json()["collectivity_code"] == region.code


def test_bad_input_is_a_named_refusal_never_a_server_error(complainant, temara):
    client = client_of(complainant)
    anonymous_complaint = client.post(
        "/api/complaints/", body(temara, kind="complaint", anonymous=True), content_type="application/json"
    )
    assert anonymous_complaint.status_code == 422
    unknown = client.post("/api/complaints/", body(temara, collectivity_code="99.999"), content_type="application/json")
    assert unknown.status_code == 404
    too_long = client.post("/api/complaints/", body(temara, text="x" * 5001), content_type="application/json")
    assert too_long.status_code == 422
    assert not Complaint.objects.exists()


def test_the_office_s_queue_and_steps_are_scoped(filed, handler, skhirate_handler):
    complaint = filed()
    assert [one["id"] for one in signed_in(handler).get("/api/complaints/office").json()] == [complaint.pk]
    assert signed_in(skhirate_handler).get("/api/complaints/office").json() == []
    assert signed_in(skhirate_handler).get(f"/api/complaints/office/{complaint.pk}").status_code == 404
    forwarded = signed_in(handler).post(
        f"/api/complaints/office/{complaint.pk}/forward", {"forwarded_to": "Voirie"}, content_type="application/json"
    )
    assert forwarded.status_code == 200 and forwarded.json()["state"] == "forwarded"


def test_the_figures_are_public(filed):
    filed()
    rows = Client().get("/api/complaints/figures").json()
    assert rows[0]["received"] == 1 and rows[0]["favourable_share"] is None


def test_the_schema_names_the_complaints_choices_apart_from_the_procedures_ones():
    """ninja names a component after its class: two enums of one name would describe one app's answers with the
    other's values (schemathesis found the procedures' categories checked against the complaints' ones)."""
    from raqmana.api import api
    from raqmana.complaints.constants import ComplaintCategory
    from raqmana.procedures.constants import Category

    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert schemas["Category"]["enum"] == list(Category.values)
    assert schemas["ComplaintCategory"]["enum"] == list(ComplaintCategory.values)
