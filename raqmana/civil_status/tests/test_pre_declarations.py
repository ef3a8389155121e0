from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind, EstablishmentKind, PreDeclarationState, Sex
from raqmana.civil_status.models import Establishment, PreDeclaration
from raqmana.civil_status.services.acts import abandon_draft, draft_act, sign_act
from raqmana.civil_status.services.pre_declarations import (
    dismiss_pre_declaration,
    draft_data_from,
    establishment_for_api_key,
    file_pre_declaration,
    issue_api_key,
)
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital():
    return Establishment.objects.create(
        kind=EstablishmentKind.HEALTH,
        name_ar="مستشفى تمارة",
        name_fr="Hôpital de Témara",
        commune=Territory.objects.get(code="04.501.01.07"),
    )


@pytest.fixture
def announced(hospital):
    return {
        "kind": ActKind.BIRTH,
        "sex": Sex.FEMALE,
        "first_name_ar": "سلمى",
        "family_name_ar": "العلوي",
        "father_name_ar": "محمد",
        "mother_name_ar": "فاطمة",
        "event_date": date.today() - timedelta(days=1),
        "place_detail": "جناح الولادة",
    }


def test_an_establishment_key_is_shown_once_and_checked_by_hash(hospital):
    key = issue_api_key(hospital, by=None)
    hospital.refresh_from_db()
    assert key not in hospital.api_key_hash and key.startswith(f"rqm_{hospital.api_key_prefix}_")
    assert establishment_for_api_key(key) == hospital
    assert establishment_for_api_key(key[:-1] + ("x" if key[-1] != "x" else "y")) is None
    assert establishment_for_api_key("nonsense") is None
    issue_api_key(hospital, by=None)
    assert establishment_for_api_key(key) is None  # the old key stopped


def test_a_pre_declaration_reaches_the_office_of_its_commune(hospital, announced, temara_office):
    pre_declaration = file_pre_declaration(hospital, announced)
    assert (pre_declaration.office, pre_declaration.state) == (temara_office, PreDeclarationState.RECEIVED)
    assert pre_declaration.receipt_number.startswith(f"PD-{temara_office.code}-")
    with pytest.raises(ValidationError):
        file_pre_declaration(hospital, {**announced, "event_date": date.today() + timedelta(days=2)})
    with pytest.raises(PermissionDenied):
        file_pre_declaration(hospital, announced, by=UserFactory())


def test_from_queue_to_signed_act(hospital, announced, temara_office, agent, officer, birth_data):
    pre_declaration = file_pre_declaration(hospital, announced)
    data = {**birth_data, **{k: v for k, v in draft_data_from(pre_declaration).items() if v}}
    act = draft_act(temara_office, ActKind.BIRTH, data, by=agent, pre_declaration=pre_declaration)
    assert PreDeclaration.objects.get(pk=pre_declaration.pk).state == PreDeclarationState.TAKEN_UP
    assert (act.first_name_ar, act.birth_date) == ("سلمى", announced["event_date"])
    sign_act(act, by=officer)
    pre_declaration.refresh_from_db()
    assert pre_declaration.state == PreDeclarationState.REGISTERED
    assert [t.to_state for t in pre_declaration.transitions.all()] == ["received", "taken_up", "registered"]


def test_an_abandoned_draft_sends_the_pre_declaration_back_to_the_queue(
    hospital, announced, temara_office, agent, birth_data
):
    pre_declaration = file_pre_declaration(hospital, announced)
    act = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent, pre_declaration=pre_declaration)
    abandon_draft(act, by=agent, reason="Wrong child")
    pre_declaration.refresh_from_db()
    assert pre_declaration.state == PreDeclarationState.RECEIVED
    draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent, pre_declaration=pre_declaration)


def test_dismissal_needs_a_reason_and_an_agent_of_the_office(hospital, announced, agent):
    pre_declaration = file_pre_declaration(hospital, announced)
    with pytest.raises(PermissionDenied):
        dismiss_pre_declaration(pre_declaration, by=UserFactory(), reason="x")
    with pytest.raises(ValidationError):
        dismiss_pre_declaration(pre_declaration, by=agent, reason="")
    dismiss_pre_declaration(pre_declaration, by=agent, reason="Filed twice")
    assert PreDeclaration.objects.get(pk=pre_declaration.pk).state == PreDeclarationState.DISMISSED


def test_a_registered_pre_declaration_cannot_be_dismissed(
    hospital, announced, temara_office, agent, officer, birth_data
):
    pre_declaration = file_pre_declaration(hospital, announced)
    sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent, pre_declaration=pre_declaration), by=officer)
    pre_declaration.refresh_from_db()
    with pytest.raises(ValidationError):
        dismiss_pre_declaration(pre_declaration, by=agent, reason="too late")
    assert PreDeclaration.objects.get(pk=pre_declaration.pk).state == PreDeclarationState.REGISTERED
