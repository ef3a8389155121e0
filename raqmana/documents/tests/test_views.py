"""The counter, the document page and the public verification, as agents and the public use them."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.documents.models import IssuedDocument
from raqmana.documents.services import format_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def extract(birth_act, agent, temara_office):
    return issue_at_counter(
        birth_act,
        CivilStatusDocument.BIRTH_EXTRACT,
        office=temara_office,
        by=agent,
        requester=HOLDER,
        purpose="Passeport",
    )


def test_an_agent_of_another_office_finds_the_act_by_idcs_and_issues(
    verified_client, birth_act, agadir_agent, django_capture_on_commit_callbacks
):
    agent, office = agadir_agent
    client = verified_client(agent)
    found = client.get(reverse("documents:counter"), {"reference": birth_act.idcs, "first_name": "Youssef"})
    assert found.status_code == 200 and birth_act.reference in found.text
    assert AuditEvent.objects.filter(action="act.read", actor=agent, target_id=str(birth_act.pk)).exists()

    form = {"kind": CivilStatusDocument.BIRTH_FULL_COPY, "requester_name": "Mohamed El Alaoui",
            "requester_document": "X1234", "requester_relation": "ascendant",
            "purpose": "Dossier de bourse"}  # fmt: skip
    url = f"{reverse('documents:counter')}?reference={birth_act.idcs}&first_name=Youssef"
    unchecked = client.post(url, form)
    assert unchecked.status_code == 200 and "Dossier de bourse" in unchecked.text  # kept, not lost
    assert not IssuedDocument.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # the PDF is stored once the record is committed
        issued = client.post(url, {**form, "identity_checked": "on"})
    document = IssuedDocument.objects.get()
    assert issued.url == reverse("documents:document", args=[document.pk])
    assert document.unit == office and document.issued_by == agent
    pdf = client.get(reverse("documents:pdf", args=[document.pk]))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_the_counter_finds_an_act_by_its_reference_and_explains_a_bad_one(verified_client, birth_act, agent):
    client = verified_client(agent)
    lookup = {"reference": birth_act.reference, "birth_date": birth_act.birth_date.isoformat(), "first_name": "Youssef"}
    assert birth_act.first_name_ar in client.get(reverse("documents:counter"), lookup).text
    wrong = client.get(reverse("documents:counter"), {**lookup, "reference": "not a reference"})
    assert wrong.status_code == 200 and 'aria-invalid="true"' in wrong.text
    unknown = {**lookup, "reference": f"{birth_act.office.code}/1999/7"}
    assert client.get(reverse("documents:counter"), unknown).status_code == 200


def test_citizens_have_no_counter(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("documents:counter")).status_code == 403


def test_documents_are_seen_by_the_issuing_office_only(verified_client, extract, agadir_agent):
    outsider, _office = agadir_agent
    assert verified_client(outsider).get(reverse("documents:document", args=[extract.pk])).status_code == 404


def test_the_officer_revokes_from_the_document_page(verified_client, extract, officer):
    client = verified_client(officer)
    page = client.get(reverse("documents:document", args=[extract.pk]))
    assert reverse("documents:revoke", args=[extract.pk]) in page.text
    client.post(reverse("documents:revoke", args=[extract.pk]), {"reason": "Erreur de saisie du demandeur"})
    extract.refresh_from_db()
    assert extract.revoked_by == officer


def test_anyone_verifies_by_code_and_sees_only_what_the_document_shows(client, extract):
    page = client.get(reverse("documents:verify", args=[extract.verification_code]))
    assert page.status_code == 200
    assert "يوسف" in page.text and "Youssef" in page.text
    assert extract.purpose not in page.text and HOLDER["document"] not in page.text
    typed = client.get(reverse("documents:verify_start"), {"code": format_code(extract.verification_code).lower()})
    assert typed.url == reverse("documents:verify", args=[extract.verification_code])
    assert client.get(reverse("documents:verify", args=["ABCDEFGHJKLMNPQR"])).status_code == 404


def test_an_uploaded_file_is_checked_byte_for_byte(client, extract):
    client.cookies["django_language"] = "en"
    original = extract.pdf.read()
    authentic = client.post(reverse("documents:verify_start"), {"pdf": SimpleUploadedFile("a.pdf", original)})
    assert "exactly the document issued" in authentic.text
    altered = client.post(reverse("documents:verify_start"), {"pdf": SimpleUploadedFile("a.pdf", original + b"\n%x")})
    assert "Not authentic" in altered.text
    not_pdf = client.post(reverse("documents:verify_start"), {"pdf": SimpleUploadedFile("a.pdf", b"GIF89a...")})
    assert "not accepted" in not_pdf.text


def test_verification_is_rate_limited(client, extract):
    url = reverse("documents:verify", args=[extract.verification_code])
    allowed = int(settings.RAQMANA_VERIFY_RATE.split("/")[0])
    statuses = [client.get(url).status_code for _ in range(allowed + 1)]
    assert statuses[:allowed] == [200] * allowed and statuses[-1] == 429
