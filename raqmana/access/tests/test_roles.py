import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from raqmana.access.models import RoleAssignment
from raqmana.access.roles import Role
from raqmana.access.services import grant_role, may_grant, revoke_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def temara():
    return Territory.objects.get(code="04.501.01.07")


@pytest.fixture
def temara_office(temara):
    return CivilStatusOffice.objects.get(territory=temara)


def test_office_roles_need_an_office(temara):
    with pytest.raises(ValidationError) as error:
        grant_role(UserFactory(), Role.CIVIL_STATUS_AGENT, territory=temara, by=None, reason="x")
    assert error.value.code == "office_required"


def test_commune_roles_refuse_a_province():
    with pytest.raises(ValidationError) as error:
        grant_role(
            UserFactory(), Role.COMMUNE_PRESIDENT, territory=Territory.objects.get(code="04.501"), by=None, reason="x"
        )
    assert error.value.code == "wrong_place"


def test_province_roles_accept_a_prefecture_of_arrondissements():
    place = Territory.objects.get(code="06.141.01.00")
    assignment = grant_role(UserFactory(), Role.GOVERNOR_SERVICES, territory=place, by=None, reason="appointed")
    assert assignment.territory == place


def test_national_role_takes_no_place(temara):
    with pytest.raises(ValidationError):
        grant_role(UserFactory(), Role.DGCT, territory=temara, by=None, reason="x")
    assert grant_role(UserFactory(), Role.DGCT, by=None, reason="appointed").territory is None


def test_office_role_records_the_office_territory(temara_office):
    assignment = grant_role(UserFactory(), Role.CIVIL_STATUS_OFFICER, unit=temara_office, by=None, reason="decree")
    assert assignment.territory == temara_office.territory


def test_a_reason_is_required(temara_office):
    with pytest.raises(ValidationError) as error:
        grant_role(UserFactory(), Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="  ")
    assert error.value.code == "reason_required"


def test_the_same_role_for_the_same_place_is_held_once(temara_office):
    user = UserFactory()
    grant_role(user, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="x")
    with pytest.raises(ValidationError) as error:
        grant_role(user, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="x")
    assert error.value.code == "duplicate_role"


def test_grant_and_revoke_are_audited_and_nothing_is_deleted(temara_office):
    dgct = UserFactory(is_superuser=True)
    user = UserFactory()
    assignment = grant_role(user, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=dgct, reason="recruited")
    revoke_role(assignment, by=dgct, reason="transferred")

    assignment.refresh_from_db()
    assert assignment.revoked_by == dgct and assignment.revoke_reason == "transferred"
    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert not RoleAssignment.objects.active().filter(user=user).exists()
    events = AuditEvent.objects.filter(target_type="access.RoleAssignment", target_id=str(assignment.pk)).order_by("at")
    assert [(event.action, event.actor, event.reason) for event in events] == [
        ("role.granted", dgct, "recruited"),
        ("role.revoked", dgct, "transferred"),
    ]
    with pytest.raises(ValidationError):
        revoke_role(assignment, by=dgct, reason="again")
    # Revoked, the role may be granted again.
    grant_role(user, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=dgct, reason="back")


def test_the_agent_is_told_by_email_in_their_language(temara_office, django_capture_on_commit_callbacks):
    user = UserFactory(preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        grant_role(user, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="recruited")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "Agent d'état civil" in mail.outbox[0].body


def test_the_grant_email_carries_a_one_time_enrolment_code(temara_office, django_capture_on_commit_callbacks):
    from raqmana.accounts.services.two_factor import enrolment_code_matches

    user = UserFactory(preferred_language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        grant_role(user, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="recruited")
    code = re.search(r"[A-Z2-9]{5}-[A-Z2-9]{5}", mail.outbox[0].body).group()
    user.refresh_from_db()
    assert enrolment_code_matches(user, code.lower())
    assert not enrolment_code_matches(user, "AAAAA-AAAAA")


def test_who_may_grant(temara, temara_office):
    skhirate = Territory.objects.get(code="04.501.01.05")
    president = UserFactory()
    grant_role(president, Role.COMMUNE_PRESIDENT, territory=temara, by=None, reason="elected")
    governor = UserFactory()
    grant_role(governor, Role.GOVERNOR_SERVICES, territory=temara.parent, by=None, reason="appointed")
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=temara_office, by=None, reason="recruited")

    assert may_grant(president, Role.CIVIL_STATUS_AGENT, temara)
    assert may_grant(president, Role.MAIL_REGISTRY_AGENT, temara)
    assert not may_grant(president, Role.COMMUNE_PRESIDENT, temara)
    assert not may_grant(president, Role.CIVIL_STATUS_AGENT, skhirate)
    assert may_grant(governor, Role.COMMUNE_PRESIDENT, skhirate)
    assert not may_grant(governor, Role.GOVERNOR_SERVICES, temara.parent)
    assert not may_grant(agent, Role.CIVIL_STATUS_AGENT, temara)
    with pytest.raises(PermissionDenied):
        grant_role(UserFactory(), Role.CIVIL_STATUS_AGENT, unit=temara_office, by=agent, reason="x")

    mail_agent = UserFactory()
    grant_role(mail_agent, Role.MAIL_REGISTRY_AGENT, territory=temara, by=president, reason="delegation")
    assert not may_grant(mail_agent, Role.CIVIL_STATUS_OFFICER, temara)
    assert not may_grant(mail_agent, Role.MAIL_REGISTRY_AGENT, temara)
    inspector = UserFactory()
    grant_role(inspector, Role.PROVINCIAL_INSPECTOR, territory=temara.parent, by=None, reason="appointed")
    assert not may_grant(inspector, Role.COMMUNE_PRESIDENT, temara)
    assert not may_grant(governor, Role.CIVIL_STATUS_OFFICER, temara)


def test_nobody_grants_a_role_to_themselves(temara):
    president = UserFactory()
    grant_role(president, Role.COMMUNE_PRESIDENT, territory=temara, by=None, reason="elected")
    assert not may_grant(president, Role.PERMITS_AGENT, temara, grantee=president)
    with pytest.raises(PermissionDenied):
        grant_role(president, Role.PERMITS_AGENT, territory=temara, by=president, reason="myself")
