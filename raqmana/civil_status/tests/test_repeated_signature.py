"""A signature asked again of the same act (a double click, a retry after a timeout whose first try had committed)
answers the act's number instead of a refusal; a draft abandoned, or a person who may not sign, is still refused."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ACT_REGISTER, ActKind, ActState
from raqmana.civil_status.services.acts import abandon_draft, draft_act, sign_act
from raqmana.kernel.sequences import Sequence
from raqmana.territories.models import CivilStatusOffice

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(temara_office, agent, birth_data):
    return draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)


def test_signing_again_returns_the_act_as_signed_and_records_nothing(draft, officer, temara_office):
    first = sign_act(draft, by=officer)
    second_officer = UserFactory()
    grant_role(second_officer, Role.CIVIL_STATUS_OFFICER, unit=temara_office, by=None, reason="test")
    for again in (sign_act(draft, by=officer), sign_act(first, by=second_officer)):
        assert (again.pk, again.number, again.idcs, again.signed_by) == (first.pk, 1, first.idcs, officer)
    assert first.transitions.filter(to_state=ActState.SIGNED).count() == 1
    assert AuditEvent.objects.filter(action="act.signed").count() == 1
    assert Sequence.objects.get(register=ACT_REGISTER).last_number == 1


def test_whoever_may_not_sign_is_still_refused(draft, officer, agent):
    sign_act(draft, by=officer)
    with pytest.raises(PermissionDenied):
        sign_act(draft, by=agent)
    elsewhere = UserFactory()
    grant_role(
        elsewhere,
        Role.CIVIL_STATUS_OFFICER,
        unit=CivilStatusOffice.objects.get(territory__code="04.501.01.05"),
        by=None,
        reason="test",
    )
    with pytest.raises(PermissionDenied):
        sign_act(draft, by=elsewhere)


def test_an_abandoned_draft_is_still_refused(draft, officer, verified_client):
    abandon_draft(draft, by=officer, reason="Declared twice")
    with pytest.raises(ValidationError):
        sign_act(draft, by=officer)
    assert verified_client(officer).post(f"/api/civil-status/acts/{draft.pk}/sign").status_code == 422


def test_the_page_redirects_to_the_signed_act_with_a_message(draft, officer, verified_client):
    client = verified_client(officer)
    client.cookies["django_language"] = "en"
    first = client.post(reverse("civil_status:act_sign", args=[draft.pk]))
    assert client.get(first.url).status_code == 200  # the first answer read: its message shown
    again = client.post(reverse("civil_status:act_sign", args=[draft.pk]))
    assert first.status_code == again.status_code == 302 and again.url == first.url
    draft.refresh_from_db()
    said = [(message.level_tag, message.message) for message in get_messages(again.wsgi_request)]
    assert said == [("info", f"Act {draft.reference} was already signed: it keeps its number.")]
    page = client.get(again.url)
    assert page.status_code == 200 and draft.reference in page.text


def test_the_api_answers_the_signed_act_again(draft, officer, verified_client):
    client = verified_client(officer)
    first = client.post(f"/api/civil-status/acts/{draft.pk}/sign")
    again = client.post(f"/api/civil-status/acts/{draft.pk}/sign")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.json()["reference"].endswith("/1")
