"""The second factor gives the session a new key, limits enrolment codes, and tells a throttled agent how long to
wait instead of calling a right code wrong."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts import views
from raqmana.accounts.services.two_factor import issue_enrolment_code, totp_wait_seconds
from raqmana.audit.models import AuditEvent
from raqmana.notifications.models import Notification
from raqmana.territories.models import CivilStatusOffice

from .factories import PASSWORD, UserFactory
from .test_sign_in import code_for

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
TWO_FACTOR = reverse("accounts:two_factor")


@pytest.fixture
def agent():
    user = UserFactory(email="agent@commune.ma")
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    grant_role(user, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="recruited")
    return user


@pytest.fixture
def signed_in(client, agent):
    """The agent past their password, not yet their second factor, reading English."""
    client.cookies["django_language"] = "en"
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    return client


def wrong_code(device):
    return "000000" if code_for(device) != "000000" else "111111"


def test_the_session_key_changes_when_the_second_factor_checks(signed_in, agent):
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    before = signed_in.session.session_key
    assert signed_in.post(TWO_FACTOR, {"token": code_for(device)}).status_code == 302
    after = signed_in.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()  # the old key opens nothing any more
    assert signed_in.get(reverse("portal:workspace")).status_code == 200


def test_the_session_key_changes_when_an_authenticator_is_enrolled(signed_in, agent):
    signed_in.post(TWO_FACTOR, {"code": issue_enrolment_code(agent)})
    signed_in.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    before = signed_in.session.session_key
    assert signed_in.post(TWO_FACTOR, {"token": code_for(device)}).status_code == 302
    assert signed_in.session.session_key != before


def test_a_throttled_agent_is_told_how_long_to_wait(signed_in, agent):
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    wrong = signed_in.post(TWO_FACTOR, {"token": wrong_code(device)})
    assert wrong.context["form"].errors["token"] == [
        "This code is wrong or has expired. Enter the code your app shows now."
    ]
    # Someone holding the password failed five codes: django-otp now waits 16 seconds before taking another.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    right_but_early = signed_in.post(TWO_FACTOR, {"token": code_for(device)})
    [message] = right_but_early.context["form"].errors["token"]
    seconds = int(re.fullmatch(r"Too many wrong codes: try again in (\d+) seconds\.", message).group(1))
    assert 14 <= seconds <= 16
    assert signed_in.get(reverse("portal:workspace")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 5  # a code typed while waiting does not lengthen the wait

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=17))
    assert signed_in.post(TWO_FACTOR, {"token": code_for(device)}).status_code == 302


def test_after_wrong_codes_the_agent_is_told_to_wait_before_the_next(signed_in, agent):
    device = TOTPDevice.objects.create(
        user=agent,
        name="phone",
        confirmed=True,
        throttling_failure_count=2,
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=1),
    )
    wrong = signed_in.post(TWO_FACTOR, {"token": wrong_code(device)})  # the third: django-otp waits 4 seconds
    [message] = wrong.context["form"].errors["token"]
    seconds = int(
        re.fullmatch(
            r"This code is wrong or has expired\. Wait (\d+) seconds, then enter the code your app shows\.", message
        ).group(1)
    )
    assert 3 <= seconds <= 4


def test_a_code_already_used_is_told_with_the_wait_for_the_next(client, signed_in, agent):
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    code = code_for(device)
    assert signed_in.post(TWO_FACTOR, {"token": code}).status_code == 302
    client.logout()
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    again = client.post(TWO_FACTOR, {"token": code})
    [message] = again.context["form"].errors["token"]
    match = re.fullmatch(
        r"This code was already used\. Your app shows a new one in (\d+) seconds?: enter that one\.", message
    )
    assert 1 <= int(match.group(1)) <= device.step
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=1))
    assert client.post(TWO_FACTOR, {"token": code_for(device, offset=1)}).status_code == 302


def test_a_long_wait_is_said_in_minutes(signed_in, agent):
    device = TOTPDevice.objects.create(
        user=agent,
        name="phone",
        confirmed=True,
        throttling_failure_count=10,
        throttling_failure_timestamp=timezone.now(),
    )
    answer = signed_in.post(TWO_FACTOR, {"token": code_for(device)})
    assert re.fullmatch(
        r"Too many wrong codes: try again in [89]\xa0minutes\.", answer.context["form"].errors["token"][0]
    )


def test_wrong_codes_make_the_agent_wait_minutes_not_days_and_warn_them(signed_in, agent):
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    for _attempt in range(20):  # each after the wait the last one imposed
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(days=7))
        signed_in.post(TWO_FACTOR, {"token": wrong_code(device)})
    device.refresh_from_db()
    assert 0 < totp_wait_seconds(device) <= 15 * 60

    [warning] = Notification.objects.filter(user=agent, subject__contains="someone who knows your password")
    assert "10 wrong codes" in warning.body and "change it now" in warning.body
    assert AuditEvent.objects.filter(action="two_factor.wrong_codes_warned", target_id=str(agent.pk)).count() == 1

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=15))
    assert signed_in.post(TWO_FACTOR, {"token": code_for(device)}).status_code == 302


def test_enrolment_codes_are_limited_and_the_wait_is_told(signed_in, agent, monkeypatch):
    monkeypatch.setattr(views, "ENROLMENT_CODE_RATE", "3/15m")
    code = issue_enrolment_code(agent)
    for _attempt in range(3):
        wrong = signed_in.post(TWO_FACTOR, {"code": "AAAAA-AAAAA"})
        assert wrong.context["form"].errors["code"] == [
            "This enrolment code is wrong or has expired. Ask your administrator for a new one."
        ]
    right_but_late = signed_in.post(TWO_FACTOR, {"code": code})
    [message] = right_but_late.context["form"].errors["code"]
    assert re.fullmatch(r"Too many wrong codes: try again in .+\.", message)
    assert "<svg" not in signed_in.get(TWO_FACTOR).text  # still locked: no authenticator key shown
    assert not TOTPDevice.objects.filter(user=agent).exists()


def test_the_enrolment_qr_code_scales_to_the_page(signed_in, agent):
    signed_in.post(TWO_FACTOR, {"code": issue_enrolment_code(agent)})
    [svg] = re.findall(r"<svg[^>]*>", signed_in.get(TWO_FACTOR).text)
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg) and "width=" not in svg and "height=" not in svg


def test_the_agent_menu_shows_only_after_the_second_factor(signed_in, agent):
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    workspace_link = f'href="{reverse("portal:workspace")}"'
    assert workspace_link not in signed_in.get(TWO_FACTOR).text
    assert signed_in.post(TWO_FACTOR, {"token": code_for(device)}).status_code == 302
    assert workspace_link in signed_in.get(reverse("portal:home")).text
