"""The page of undelivered notifications: each office's officers see its own, the national administration all;
a resend starts a new round of attempts and is recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.notifications.models import Channel, Notification
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db

LIST = reverse("portal:undelivered_notifications")


def _notification(unit, **state):
    return Notification.objects.create(
        user=UserFactory(full_name="Citizen"),
        unit=unit,
        kind="civil_status_documents.order_issued",
        channel=Channel.EMAIL,
        address=f"to-{unit.pk if unit else 'none'}-{len(state)}@example.ma",
        subject="Raqmana: document",
        body="B",
        **state,
    )


@pytest.fixture
def offices():
    return (
        CivilStatusOffice.objects.get(territory__code="04.501.01.07"),  # Témara
        CivilStatusOffice.objects.get(territory__code="04.501.01.05"),  # Skhirate
    )


@pytest.fixture
def notifications(offices):
    temara, skhirate = offices
    now = timezone.now()
    rows = {
        "temara_given_up": _notification(temara, attempts=6, error="smtp down", given_up_at=now),
        "skhirate_failing": _notification(skhirate, attempts=2, error="smtp down", next_attempt_at=now),
        "account_given_up": _notification(None, attempts=6, error="smtp down", given_up_at=now),
        "temara_sent": _notification(temara, attempts=1, sent_at=now),
        "temara_fresh": _notification(temara, next_attempt_at=now),
        "temara_late": _notification(temara, next_attempt_at=now),
    }
    Notification.objects.filter(pk=rows["temara_late"].pk).update(created_at=now - timedelta(hours=1))
    return rows


def _person(role, **place):
    person = UserFactory()
    grant_role(person, role, by=None, reason="test", **place)
    return person


def _listed(response):
    return {notification.pk for notification in response.context["notifications"]}


def test_an_officer_sees_the_undelivered_notifications_of_their_office_only(verified_client, offices, notifications):
    officer = _person(Role.CIVIL_STATUS_OFFICER, unit=offices[0])
    response = verified_client(officer).get(LIST)
    assert response.status_code == 200
    assert _listed(response) == {notifications["temara_given_up"].pk, notifications["temara_late"].pk}
    assert '<html lang="ar" dir="rtl">' in response.text and '<div class="table-scroll" tabindex="0">' in response.text
    assert "مكتب الحالة المدنية تمارة" in response.text and "smtp down" in response.text


def test_a_commune_president_sees_the_offices_of_the_commune(verified_client, offices, notifications):
    temara_commune = Territory.objects.get(code="04.501.01.07")
    president = _person(Role.COMMUNE_PRESIDENT, territory=temara_commune)
    listed = _listed(verified_client(president).get(LIST))
    assert notifications["temara_given_up"].pk in listed and notifications["skhirate_failing"].pk not in listed


@pytest.mark.parametrize("national", ["dgct", "superuser"])
def test_the_national_administration_sees_every_office_and_the_account_messages(
    verified_client, notifications, national
):
    person = UserFactory(is_superuser=True) if national == "superuser" else _person(Role.DGCT)
    listed = _listed(verified_client(person).get(LIST))
    expected = {"temara_given_up", "skhirate_failing", "account_given_up", "temara_late"}
    assert listed == {notifications[name].pk for name in expected}


def test_those_without_the_permission_are_refused_and_see_no_menu_entry(verified_client, offices, notifications):
    agent = _person(Role.CIVIL_STATUS_AGENT, unit=offices[0])
    client = verified_client(agent)
    assert client.get(LIST).status_code == 403
    resend = reverse("portal:resend_notification", args=[notifications["temara_given_up"].pk])
    assert client.post(resend).status_code == 403
    assert LIST not in client.get(reverse("portal:home")).text
    officer = _person(Role.CIVIL_STATUS_OFFICER, unit=offices[0])
    assert LIST in verified_client(officer).get(reverse("portal:home")).text


def test_an_officer_resends_after_confirming_and_it_is_recorded(verified_client, offices, notifications):
    officer = _person(Role.CIVIL_STATUS_OFFICER, unit=offices[0])
    client = verified_client(officer)
    given_up = notifications["temara_given_up"]
    resend = reverse("portal:resend_notification", args=[given_up.pk])
    confirmation = client.get(resend)
    assert confirmation.status_code == 200 and 'method="post"' in confirmation.text
    given_up.refresh_from_db()
    assert given_up.given_up_at  # a GET changes nothing
    response = client.post(resend)
    assert response.status_code == 302 and response.url == LIST
    given_up.refresh_from_db()
    assert given_up.given_up_at is None and given_up.attempts == 0 and given_up.next_attempt_at <= timezone.now()
    event = AuditEvent.objects.get(action="notification.resent")
    assert event.actor == officer and event.unit == offices[0] and event.target_id == str(given_up.pk)


def test_another_offices_notification_is_not_found(verified_client, offices, notifications):
    officer = _person(Role.CIVIL_STATUS_OFFICER, unit=offices[0])
    client = verified_client(officer)
    for name in ("skhirate_failing", "account_given_up", "temara_sent"):
        resend = reverse("portal:resend_notification", args=[notifications[name].pk])
        assert client.get(resend).status_code == 404 and client.post(resend).status_code == 404
    assert not AuditEvent.objects.filter(action="notification.resent").exists()


def test_a_resend_needs_the_csrf_token(verified_client, offices, notifications):
    client = verified_client(_person(Role.CIVIL_STATUS_OFFICER, unit=offices[0]))
    client.handler.enforce_csrf_checks = True  # as a browser is held to it
    resend = reverse("portal:resend_notification", args=[notifications["temara_given_up"].pk])
    assert client.post(resend).status_code == 403
    token = client.get(resend).context["csrf_token"]
    assert client.post(resend, {"csrfmiddlewaretoken": str(token)}).status_code == 302
