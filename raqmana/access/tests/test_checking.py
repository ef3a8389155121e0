"""access.checking: who may use a permission where, from the assignments read once per request."""

from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from raqmana.access.checking import assignments_of, has_permission, require, units_where
from raqmana.access.registry import PERMISSIONS
from raqmana.access.roles import Role
from raqmana.access.scoping import visible_to
from raqmana.access.selectors import holders_of
from raqmana.access.services import grant_role, revoke_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db

TEMARA, SKHIRATE = "04.501.01.07", "04.501.01.05"


def office(code):
    return CivilStatusOffice.objects.get(territory__code=code)


def territory(code):
    return Territory.objects.get(code=code)


def assignment_queries(queries):
    return [query["sql"] for query in queries if '"access_roleassignment"."user_id" =' in query["sql"]]


def test_a_role_at_an_office_reaches_that_office_and_its_commune_only():
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office(TEMARA), by=None, reason="test")
    assert has_permission(agent, "civil_status.act.draft", at=office(TEMARA))
    assert has_permission(agent, "civil_status.act.draft", at=territory(TEMARA))
    assert has_permission(agent, "civil_status.act.draft")  # somewhere
    assert not has_permission(agent, "civil_status.act.draft", at=office(SKHIRATE))
    assert not has_permission(agent, "civil_status.act.draft", at=territory("04.501"))
    assert not has_permission(agent, "civil_status.act.sign", at=office(TEMARA))


def test_a_role_for_a_territory_reaches_down_never_up_nor_sideways():
    inspector = UserFactory()
    grant_role(inspector, Role.PROVINCIAL_INSPECTOR, territory=territory("04.501"), by=None, reason="test")
    for place in (territory("04.501"), territory(TEMARA), office(TEMARA), office(SKHIRATE)):
        assert has_permission(inspector, "civil_status.act.read", at=place)
    for place in (territory("04"), territory("04.421"), office("04.421.01.0")):
        assert not has_permission(inspector, "civil_status.act.read", at=place)


def test_a_national_role_reaches_everywhere():
    dgct = UserFactory()
    grant_role(dgct, Role.DGCT, by=None, reason="test")
    assert has_permission(dgct, "civil_status.act.read", at=office("06.141.01.01"))
    assert not has_permission(dgct, "civil_status.act.draft", at=office("06.141.01.01"))


def test_superusers_may_do_everything_but_act_for_an_office_and_inactive_accounts_nothing():
    superuser = UserFactory(is_superuser=True)
    assert has_permission(superuser, "civil_status.act.read", at=office(TEMARA))
    require(superuser, "access.role.grant", at=territory("04"))
    with pytest.raises(PermissionDenied):
        require(superuser, "civil_status.act.sign", at=office(TEMARA))  # the officer signs, in person
    officer = UserFactory()
    grant_role(officer, Role.CIVIL_STATUS_OFFICER, unit=office(TEMARA), by=None, reason="test")
    officer.is_active = False
    assert not has_permission(officer, "civil_status.act.sign", at=office(TEMARA))
    assert units_where(officer, "civil_status.act.sign") == []
    assert not visible_to(CivilStatusOffice.objects.all(), officer, "civil_status.act.read").exists()
    inactive_superuser = UserFactory(is_superuser=True, is_active=False)
    assert not has_permission(inactive_superuser, "civil_status.act.read")


def test_anonymous_visitors_may_do_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not has_permission(AnonymousUser(), "civil_status.act.read")
    assert assignments_of(AnonymousUser()) == ()
    assert units_where(AnonymousUser(), "civil_status.act.read") == []


def test_an_undeclared_permission_is_a_programming_error():
    superuser = UserFactory(is_superuser=True)
    for user in (UserFactory(), superuser):
        with pytest.raises(ValueError, match="not declared"):
            has_permission(user, "civil_status.act.sing")
    with pytest.raises(ValueError, match="not declared"):
        units_where(superuser, "civil_status.act.sing")


def test_a_place_must_be_a_unit_or_a_territory():
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office(TEMARA), by=None, reason="test")
    with pytest.raises(TypeError):
        has_permission(agent, "civil_status.act.draft", at=agent)


def test_refusals_say_what_the_permission_declares(monkeypatch):
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office(TEMARA), by=None, reason="test")
    with translation.override("en"):
        with pytest.raises(PermissionDenied, match=r"^Only this office.s officer signs its acts\.$"):
            require(agent, "civil_status.act.sign", at=office(TEMARA))
        with pytest.raises(PermissionDenied, match=r"^Only the civil status agents and officers of this place"):
            require(agent, "civil_status.act.read", at=office(SKHIRATE))
        unexplained = replace(PERMISSIONS["civil_status.act.read"], refusal="")
        monkeypatch.setitem(PERMISSIONS, "civil_status.act.read", unexplained)
        with pytest.raises(PermissionDenied, match=r"^You may not do this here\.$"):
            require(agent, "civil_status.act.read", at=office(SKHIRATE))


def test_every_permission_tells_whoever_is_refused_who_may():
    unexplained = [code for code, permission in PERMISSIONS.items() if not str(permission.refusal).strip()]
    assert unexplained == []


def test_a_grant_or_revocation_made_with_the_same_user_object_is_seen_at_once():
    agent = UserFactory()
    assert not has_permission(agent, "civil_status.act.draft", at=office(TEMARA))
    assignment = grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office(TEMARA), by=None, reason="test")
    assert has_permission(agent, "civil_status.act.draft", at=office(TEMARA))
    revoke_role(assignment, by=None, reason="moved")
    assert not has_permission(agent, "civil_status.act.draft", at=office(TEMARA))


def test_assignments_are_read_once_however_many_checks():
    agent = UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office(TEMARA), by=None, reason="test")
    agent = type(agent).objects.get(pk=agent.pk)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            has_permission(agent, "civil_status.act.draft", at=office(TEMARA))
            has_permission(agent, "civil_status.act.read", at=territory(TEMARA))
            units_where(agent, "civil_status.queue.handle")
            list(visible_to(CivilStatusOffice.objects.all(), agent, "civil_status.act.read"))
            assert agent.is_agent
    assert len(assignment_queries(queries)) == 1


def test_holders_of_a_permission_at_a_place():
    officer, inspector, other_officer, wali = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    grant_role(officer, Role.CIVIL_STATUS_OFFICER, unit=office(TEMARA), by=None, reason="test")
    grant_role(other_officer, Role.CIVIL_STATUS_OFFICER, unit=office(SKHIRATE), by=None, reason="test")
    grant_role(inspector, Role.PROVINCIAL_INSPECTOR, territory=territory("04.501"), by=None, reason="test")
    grant_role(wali, Role.WALI_SERVICES, territory=territory("04"), by=None, reason="test")
    assert set(holders_of("civil_status_documents.lookup_alert.receive", at=office(TEMARA))) == {officer, inspector}
    assert set(holders_of("civil_status_documents.lookup_alert.receive", at=territory("04.501"))) == {inspector}
    assert holders_of("civil_status_documents.lookup_alert.receive_unanswered", at=office(TEMARA)) == [wali]
    assert holders_of("civil_status_documents.lookup_alert.receive", at=office("06.141.01.01")) == []


def test_a_grant_or_revocation_made_through_another_user_object_takes_effect_on_this_one():
    """request.user and the `assignment.user` a service is given are two objects for one person: both follow."""
    from raqmana.accounts.models import User

    person = UserFactory()
    assert not has_permission(person, "civil_status.act.sign", at=office(TEMARA))  # nothing, cached on `person`
    held = grant_role(User.objects.get(pk=person.pk), Role.CIVIL_STATUS_OFFICER, unit=office(TEMARA), by=None,
                      reason="test")  # fmt: skip
    assert has_permission(person, "civil_status.act.sign", at=office(TEMARA))
    with CaptureQueriesContext(connection) as queries:
        assert has_permission(person, "civil_status.act.read", at=office(TEMARA))
    assert not assignment_queries(queries)  # read once again after the change, not at every check
    revoke_role(type(held).objects.get(pk=held.pk), by=None, reason="left")
    assert not has_permission(person, "civil_status.act.sign", at=office(TEMARA))
