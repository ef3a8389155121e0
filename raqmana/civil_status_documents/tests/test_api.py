import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.documents.models import IssuedDocument
from raqmana.kernel.tests import samples

pytestmark = pytest.mark.django_db


def issue_payload(office, birth_act, **changes):
    return {
        "office_code": office.code,
        "act": birth_act.reference,
        "birth_date": birth_act.birth_date.isoformat(),
        "first_name": "Youssef",  # found by its reference, an act needs the first name
        "kind": CivilStatusDocument.BIRTH_EXTRACT,
        "requester_name": "Fatima Bennani",
        "requester_document": "BE998877",
        "requester_relation": "other",
        "purpose": "Inscription scolaire",
        "identity_checked": True,
        **changes,
    }


def test_a_counter_agent_issues_through_the_api_and_anyone_verifies(
    verified_client, client, birth_act, agadir_agent, django_capture_on_commit_callbacks
):
    agent, office = agadir_agent
    api = verified_client(agent)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is stored once the record is committed
        issued = api.post("/api/documents/", issue_payload(office, birth_act), content_type="application/json")
    assert issued.status_code == 201, issued.content
    body = issued.json()
    assert body["reference"].startswith(office.code) and body["verification_url"].endswith(
        f"{body['verification_code']}/"
    )
    pdf = b"".join(api.get(f"/api/documents/{body['id']}/pdf").streaming_content)

    client.logout()
    verified = client.get(f"/api/documents/verify/{body['verification_code']}").json()
    assert verified["status"] == "valid" and verified["reference"] == body["reference"]
    assert "Inscription scolaire" not in str(verified)
    checked = client.post("/api/documents/verify", {"pdf": SimpleUploadedFile("d.pdf", pdf)}).json()
    assert checked["authentic"] and checked["seal"]["trusted"] and checked["document"]["kind"] == "birth_extract"
    # The seal's time stamp, as the verification page shows it.
    stamp = checked["seal"]["time_stamp"]
    assert stamp["authority"] and verified["time_stamping_authority"] == stamp["authority"]
    assert verified["seal_time_stamped_at"][:16] == stamp["time"][:16]
    forged = client.post("/api/documents/verify", {"pdf": SimpleUploadedFile("d.pdf", pdf.replace(b"1/", b"2/", 1))})
    assert not forged.json()["authentic"]


def test_the_api_refuses_what_the_counter_refuses(verified_client, birth_act, agent, temara_office):
    api = verified_client(agent)
    full_copy_to_stranger = issue_payload(temara_office, birth_act, kind=CivilStatusDocument.BIRTH_FULL_COPY)
    refused = api.post("/api/documents/", full_copy_to_stranger, content_type="application/json")
    assert refused.status_code == 422 and "requester_relation" in refused.json()["detail"]
    unchecked = issue_payload(temara_office, birth_act, identity_checked=False)
    refused = api.post("/api/documents/", unchecked, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"] == "identity_checked: أكد أنه تم التحقق من هوية الطالب."  # Arabic first
    unknown = issue_payload(temara_office, birth_act, act=f"{temara_office.code}/1990/4")
    assert api.post("/api/documents/", unknown, content_type="application/json").status_code == 404
    assert not IssuedDocument.objects.exists()


def test_the_api_answers_in_the_language_the_person_chose(client, db, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    unknown = client.get("/api/documents/verify/ABCDEFGHJKLMNPQR")
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Aucun document n'a ce code de vérification."


def test_verification_by_api_is_rate_limited(client, db):
    statuses = [client.get("/api/documents/verify/ABCDEFGHJKLMNPQR").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def test_a_citizen_orders_through_the_api(client, birth_act):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from raqmana.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    form = {"kind": "birth_full_copy", "act": birth_act.idcs, "event_date": birth_act.birth_date.isoformat(),
            "first_name": "Youssef", "requester_relation": "holder", "purpose": "Visa"}  # fmt: skip
    missing_proof = client.post("/api/documents/orders", form)
    assert missing_proof.status_code == 422 and "proof" in missing_proof.json()["detail"]
    proof = SimpleUploadedFile("id.pdf", samples.pdf())
    placed = client.post("/api/documents/orders", {**form, "proof": proof})
    assert placed.status_code == 201, placed.content
    body = placed.json()
    assert body["state"] == "awaiting_payment" and body["amount"] == "2.00" and "/payments/" in body["payment_url"]
    assert [row["id"] for row in client.get("/api/documents/orders").json()] == [body["id"]]
    wrong_date = {**form, "event_date": "1900-01-01", "kind": "birth_extract"}
    assert client.post("/api/documents/orders", wrong_date).status_code == 404
