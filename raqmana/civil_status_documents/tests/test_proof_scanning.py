"""Proofs are virus-scanned before an agent sees them: refused when infected on arrival; waiting ("pending") when
the scanner is away, neither opened nor approved meanwhile; scanned by the background task once it is back, and
deleted, audited and told to the citizen when found infected then."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.services import approve_order, place_order
from raqmana.civil_status_documents.tasks import scan_pending_proofs, scan_proof
from raqmana.kernel.scanning import ScanResult, ScanState
from raqmana.kernel.tests import samples
from raqmana.kernel.tests.test_uploads import EICAR

pytestmark = pytest.mark.django_db
INFECTED_PDF = samples.pdf(content=b"% " + EICAR + b"\n")


@pytest.fixture
def citizen():
    return UserFactory(full_name="Youssef El Alaoui", preferred_language="en")


def order(citizen, act, proof=None):
    return place_order(
        citizen, act, CivilStatusDocument.BIRTH_FULL_COPY, relation="holder", mandate_reference="", purpose="Visa",
        proof=SimpleUploadedFile("id.pdf", proof or samples.pdf()),
    )  # fmt: skip


def awaiting_check(placed):
    DocumentOrder.objects.filter(pk=placed.pk).update(state=OrderState.AWAITING_CHECK)
    placed.refresh_from_db()
    return placed


def scanner_back(monkeypatch, result):
    monkeypatch.setattr("raqmana.civil_status_documents.proofs.scan", lambda data: result)


def test_an_infected_proof_is_refused_on_arrival_and_kept_nowhere(clamav, citizen, birth_act):
    with pytest.raises(ValidationError) as refused:
        order(citizen, birth_act, proof=INFECTED_PDF)
    assert list(refused.value.error_dict) == ["proof"] and not DocumentOrder.objects.exists()
    event = AuditEvent.objects.get(action="document_order.proof_refused_infected")
    assert event.actor == citizen and "EICAR" in event.details["signature"]
    assert order(citizen, birth_act).proof_scan == ScanState.CLEAN


def test_without_the_scanner_a_proof_waits_and_is_neither_opened_nor_approved(
    scanner_away, citizen, birth_act, agent, verified_client, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):  # the scan queued at once finds no scanner either
        placed = awaiting_check(order(citizen, birth_act))
    assert placed.proof_scan == ScanState.PENDING and placed.proof.storage.exists(placed.proof.name)

    office = verified_client(agent)
    office.cookies["django_language"] = "en"
    page = office.get(reverse("documents:check", args=[placed.pk])).text
    assert "waits for the virus scan" in page and 'value="approve"' not in page
    assert office.get(reverse("documents:check_proof", args=[placed.pk])).status_code == 404
    with translation.override("en"), pytest.raises(ValidationError, match="not been found clean"):
        approve_order(placed, by=agent)
    office.post(reverse("documents:check", args=[placed.pk]), {"decision": "approve"})
    placed.refresh_from_db()
    assert placed.state == OrderState.AWAITING_CHECK and placed.document is None

    scanner_back(monkeypatch, ScanResult(ScanState.CLEAN))
    assert scan_pending_proofs.enqueue().return_value == 0  # none left waiting
    placed.refresh_from_db()
    assert placed.proof_scan == ScanState.CLEAN
    assert office.get(reverse("documents:check_proof", args=[placed.pk])).status_code == 200
    assert 'value="approve"' in office.get(reverse("documents:check", args=[placed.pk])).text


def test_a_waiting_proof_found_infected_is_deleted_audited_and_the_citizen_told(
    scanner_away, client, citizen, birth_act, agent, verified_client, django_capture_on_commit_callbacks, monkeypatch
):
    placed = awaiting_check(order(citizen, birth_act))
    name = placed.proof.name
    scanner_back(monkeypatch, ScanResult(ScanState.INFECTED, "Raqmana.Test.EICAR.UNOFFICIAL"))
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_proof.enqueue(placed.pk, 0).return_value == ScanState.INFECTED
    placed.refresh_from_db()
    assert placed.proof_scan == ScanState.INFECTED and not placed.proof
    assert placed.proof_deleted_on == timezone.localdate() and not placed.proof.storage.exists(name)
    event = AuditEvent.objects.get(action="document_order.proof_infected")
    assert event.target_id == str(placed.pk) and event.details == {
        "signature": "Raqmana.Test.EICAR.UNOFFICIAL",
        "file": name,
        "reason_is_label": True,  # the reason, a declared one, shown in each reader's language
    }
    assert [message.to for message in mail.outbox] == [[citizen.email]]
    assert "virus scanner found a threat" in mail.outbox[0].body

    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    assert "found a threat in your proof" in client.get(reverse("documents:order", args=[placed.pk])).text
    page = verified_client(agent).get(reverse("documents:check", args=[placed.pk])).text
    assert "The order can only be refused" in page and 'value="approve"' not in page


def test_the_sweep_scans_the_waiting_proofs_once_clamd_is_back(clamav, scanner_away, settings, citizen, birth_act):
    infected, clean = order(citizen, birth_act, proof=INFECTED_PDF), order(citizen, birth_act)
    assert {infected.proof_scan, clean.proof_scan} == {ScanState.PENDING}
    with pytest.raises(CommandError, match="2 proofs still wait"):
        call_command("scan_pending_proofs")
    settings.RAQMANA_CLAMD_SOCKET = ""  # back on 127.0.0.1:3310
    call_command("scan_pending_proofs")
    infected.refresh_from_db()
    clean.refresh_from_db()
    assert infected.proof_scan == ScanState.INFECTED and not infected.proof
    assert clean.proof_scan == ScanState.CLEAN and clean.proof


def test_a_proof_is_given_to_the_agent_to_save_not_opened_in_the_browser(citizen, birth_act, agent, verified_client):
    placed = awaiting_check(order(citizen, birth_act))
    served = verified_client(agent).get(reverse("documents:check_proof", args=[placed.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")
