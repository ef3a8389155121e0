"""Issuing a document: who may have which copy, the sealed PDF, its record, its number."""

import hashlib
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import AuthorityKind, MentionKind
from raqmana.civil_status.services.mentions import record_mention
from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.documents.constants import DocumentStatus
from raqmana.documents.models import IssuedDocument
from raqmana.documents.selectors import check_file, status_of
from raqmana.documents.services import revoke_document, verification_url
from raqmana.documents.signing import check_seal

pytestmark = pytest.mark.django_db


def test_any_office_issues_a_sealed_extract_of_any_act(birth_act, agadir_agent):
    agent, office = agadir_agent
    document = issue_at_counter(
        birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=office, by=agent, requester=HOLDER, purpose="Passport"
    )
    pdf = document.pdf.read()
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == document.sha256
    assert (document.year, document.number, document.unit) == (document.issued_at.year, 1, office)
    seal = check_seal(pdf)
    assert seal.valid and seal.signer == f"{office.name_fr} ({office.code})"  # its name, not an X.500 dump
    rows = {row["label"][1]: [value["text"] for value in row["values"]] for row in document.content["rows"]}
    assert rows["Prénom"] == ["يوسف", "Youssef", "ⵢⵓⵙⴼ"]
    assert rows["N° de l'acte"] == [f"{birth_act.number}/{birth_act.year}"]
    assert "Déclarant" not in rows  # an extract does not name the declarant; a full copy does
    assert check_file(pdf).authentic
    event = AuditEvent.objects.get(action="document.issued")
    assert event.unit == office and event.details["subject"] == birth_act.reference


def test_the_pdf_validates_in_poppler_too(
    birth_act, agent, temara_office, tmp_path, settings, django_capture_on_commit_callbacks
):
    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        pytest.skip(
            "poppler's pdfsig and NSS's certutil are not installed (apt-get install poppler-utils libnss3-tools)"
        )
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is stored once the record is committed
        document = issue_at_counter(
            birth_act,
            CivilStatusDocument.BIRTH_FULL_COPY,
            office=temara_office,
            by=agent,
            requester=HOLDER,
            purpose="Visa",
        )
    # poppler trusts what an NSS database trusts: one holding the development CA, as a deployment's would hold
    # the national CA.
    nss = f"sql:{tmp_path}"
    subprocess.run(["certutil", "-N", "-d", nss, "--empty-password"], check=True, capture_output=True)
    ca = Path(settings.RAQMANA_PKI_DIR) / "ca.cert.pem"
    subprocess.run(
        ["certutil", "-A", "-d", nss, "-n", "raqmana", "-t", "C,C,C", "-i", ca], check=True, capture_output=True
    )
    report = subprocess.run(
        ["pdfsig", "-nssdir", nss, document.pdf.path], capture_output=True, text=True, check=True
    ).stdout
    assert "Signature is Valid." in report and "Certificate is Trusted." in report
    assert "Total document signed" in report


@pytest.mark.parametrize(
    ("kind", "relation", "mandate", "allowed"),
    [
        (CivilStatusDocument.BIRTH_EXTRACT, RequesterRelation.OTHER, "", True),
        (CivilStatusDocument.BIRTH_FULL_COPY, RequesterRelation.HOLDER, "", True),
        (CivilStatusDocument.BIRTH_FULL_COPY, RequesterRelation.ASCENDANT, "", True),
        (CivilStatusDocument.BIRTH_FULL_COPY, RequesterRelation.DESCENDANT, "", True),
        (CivilStatusDocument.BIRTH_FULL_COPY, RequesterRelation.SPOUSE, "", True),
        (CivilStatusDocument.BIRTH_FULL_COPY, RequesterRelation.GUARDIAN, "", True),
        (CivilStatusDocument.BIRTH_FULL_COPY, RequesterRelation.MANDATARY, "Procuration 55/2026 du 02/11/2026", True),
        (CivilStatusDocument.BIRTH_FULL_COPY, RequesterRelation.MANDATARY, "", False),
        (CivilStatusDocument.BIRTH_FULL_COPY, RequesterRelation.OTHER, "", False),
        (CivilStatusDocument.DEATH_FULL_COPY, RequesterRelation.HOLDER, "", False),
        (CivilStatusDocument.DEATH_FULL_COPY, RequesterRelation.DESCENDANT, "", True),
    ],
)
def test_who_may_receive_which_copy(kind, relation, mandate, allowed):
    from raqmana.civil_status_documents.rules import check_copy_requester

    if allowed:
        check_copy_requester(kind, relation, mandate)
    else:
        with pytest.raises(ValidationError):
            check_copy_requester(kind, relation, mandate)


def test_a_full_copy_is_refused_to_a_stranger_and_nothing_is_issued(birth_act, agent, temara_office):
    stranger = {"name": "Someone", "relation": RequesterRelation.OTHER}
    with pytest.raises(ValidationError) as refused:
        issue_at_counter(
            birth_act,
            CivilStatusDocument.BIRTH_FULL_COPY,
            office=temara_office,
            by=agent,
            requester=stranger,
            purpose="x",
        )
    assert "requester_relation" in refused.value.message_dict
    assert not IssuedDocument.objects.exists()


def test_only_counter_agents_of_the_issuing_office_issue(birth_act, temara_office):
    with pytest.raises(PermissionDenied):
        issue_at_counter(
            birth_act,
            CivilStatusDocument.BIRTH_EXTRACT,
            office=temara_office,
            by=UserFactory(),
            requester=HOLDER,
            purpose="x",
        )


def test_a_later_mention_supersedes_and_revocation_revokes(birth_act, agent, officer, temara_office):
    document = issue_at_counter(
        birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="Work"
    )
    assert status_of(document) == (DocumentStatus.VALID, None)
    record_mention(
        birth_act,
        kind=MentionKind.MARRIAGE,
        authority_kind=AuthorityKind.ADOUL,
        authority_name="قسم قضاء الأسرة بتمارة",
        reference_number="123/2026",
        decided_on=date(2026, 11, 1),
        legal_basis="Code de la famille",
        text_ar="تزوج بتاريخ 01/11/2026",
        by=officer,
    )
    status, since = status_of(document)
    assert status == DocumentStatus.SUPERSEDED and since is not None
    with pytest.raises(PermissionDenied):
        revoke_document(document, by=agent, reason="Issued in error")
    revoke_document(document, by=officer, reason="Issued in error")
    assert status_of(document)[0] == DocumentStatus.REVOKED


def test_the_printed_qr_code_reads_back_as_the_verification_address(
    birth_act, agent, temara_office, tmp_path, django_capture_on_commit_callbacks
):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm and zbarimg are not installed (apt-get install poppler-utils zbar-tools)")
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_at_counter(
            birth_act,
            CivilStatusDocument.BIRTH_EXTRACT,
            office=temara_office,
            by=agent,
            requester=HOLDER,
            purpose="Bank",
        )
    for dpi in (72, 150):  # on a screen and on paper
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", document.pdf.path, tmp_path / "page"], check=True
        )
        read = subprocess.run(["zbarimg", "-q", "--raw", tmp_path / "page.png"], capture_output=True, text=True)
        assert read.stdout.strip() == verification_url(document.verification_code), dpi


def test_a_full_copy_shows_the_declaration_and_the_officer_who_signed(birth_act, agent, temara_office, officer):
    document = issue_at_counter(
        birth_act, CivilStatusDocument.BIRTH_FULL_COPY, office=temara_office, by=agent, requester=HOLDER, purpose="Visa"
    )
    rows = {row["label"][1]: [value["text"] for value in row["values"]] for row in document.content["rows"]}
    assert rows["Officier de l'état civil"] == [officer.full_name]
    assert rows["Déclarant"][0] == birth_act.declarant_name and "Grand-père paternel" in rows
