"""The engine issues any kind an app registers, from any record, knowing nothing of it: here a kind drawn from a
territory (as a future service might certify a place), registered by the test alone."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from raqmana.audit.models import AuditEvent
from raqmana.documents import kinds
from raqmana.documents.constants import DocumentStatus
from raqmana.documents.content import row
from raqmana.documents.kinds import DocumentKind
from raqmana.documents.models import IssuedDocument
from raqmana.documents.selectors import check_file, document_by_code, status_of
from raqmana.documents.services import issue_document
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db

CHANGED = {}


def place_content(territory, moment, calendar):
    return {
        "act_office": [territory.name_ar, territory.name_fr],
        "rows": [row("الرمز", "Code", (territory.code, "number"))],
        "mentions": [],
    }


def refuse_without_a_relation(territory, requester):
    if not requester.get("relation"):
        raise ValidationError({"requester_relation": "Say who you are."})


PLACE_ATTESTATION = DocumentKind(
    code="test_place_attestation",
    label="Place attestation",
    title_ar="شهادة",
    title_fr="Attestation",
    subject_model="territories.territory",
    content=place_content,
    superseded_since=lambda document: CHANGED.get(document.subject_id),
    check_requester=refuse_without_a_relation,
    reference=lambda territory: territory.code,
)


@pytest.fixture
def place_kind(monkeypatch):
    monkeypatch.setattr(kinds, "KINDS", {**kinds.KINDS})
    kinds.register(PLACE_ATTESTATION)
    return PLACE_ATTESTATION


def test_a_kind_registered_by_another_app_is_issued_from_its_own_subject(
    place_kind, temara_office, agent, django_capture_on_commit_callbacks
):
    place = Territory.objects.get(code="04.501.01.07")
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_document(
            place,
            place_kind.code,
            unit=temara_office,
            issued_by=agent,
            requester={"name": "Amina", "relation": "resident"},
            purpose="Test",
        )
    document = IssuedDocument.objects.get(pk=document.pk)
    assert document.subject == place and document.unit == temara_office and document.kind_label == "Place attestation"
    assert document.content["rows"][0]["values"][0]["text"] == place.code
    assert document_by_code(document.verification_code) == document
    assert check_file(document.pdf.read()).authentic
    event = AuditEvent.objects.get(action="document.issued")
    assert event.details["subject"] == place.code and event.unit == temara_office

    assert status_of(document) == (DocumentStatus.VALID, None)
    CHANGED[str(place.pk)] = moment = timezone.now()
    assert status_of(document) == (DocumentStatus.SUPERSEDED, moment)
    del CHANGED[str(place.pk)]


def test_the_kind_decides_who_may_receive_it_and_from_what(place_kind, temara_office, agent, birth_act):
    place = Territory.objects.get(code="04.501.01.07")
    issue = {"unit": temara_office, "issued_by": agent, "purpose": "Test"}
    with pytest.raises(ValidationError) as refused:
        issue_document(place, place_kind.code, requester={"name": ""}, **issue)
    assert set(refused.value.message_dict) == {"requester_name", "requester_relation"}
    with pytest.raises(ValidationError) as refused:
        issue_document(birth_act, place_kind.code, requester={"name": "A", "relation": "x"}, **issue)
    assert set(refused.value.message_dict) == {"kind"}
    with pytest.raises(ValidationError) as refused:
        issue_document(place, "no_such_kind", requester={"name": "A", "relation": "x"}, **issue)
    assert set(refused.value.message_dict) == {"kind"}
    assert not IssuedDocument.objects.exists()


def test_a_kind_is_registered_once(place_kind):
    with pytest.raises(Exception, match="registered twice"):
        kinds.register(PLACE_ATTESTATION)
