import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.models import User
from raqmana.accounts.services.sign_up import register_citizen
from raqmana.accounts.services.two_factor import issue_enrolment_code
from raqmana.territories.models import CivilStatusOffice

from .factories import PASSWORD, UserFactory, code_sent_in

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def code_for(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += offset * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def agent():
    user = UserFactory(email="agent@commune.ma")
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    grant_role(user, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="recruited")
    return user


def test_citizen_signs_in_with_email_in_any_case(client):
    UserFactory(email="amina@example.ma")
    response = client.post(LOGIN, {"username": "Amina@Example.MA", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).context["user"].email == "amina@example.ma"


def test_citizen_signs_up_and_signs_in_with_a_phone_number(client, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {"full_name": "Driss Lahlou", "contact": "06 12 34 56 78", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302 and response.url == reverse("accounts:contact_code")
    assert not User.objects.exists()
    [(phone, text)] = sms
    assert phone == "+212612345678"
    opened = client.post(response.url, {"code": code_sent_in(text)})
    assert opened.status_code == 302 and opened.url == reverse("portal:home")
    person = User.objects.get(full_name="Driss Lahlou")
    assert (person.email, person.phone) == (None, "+212612345678")
    assert person.phone_verified_at and person.email_verified_at is None
    client.logout()
    assert client.post(LOGIN, {"username": "+212 612-345678", "password": PASSWORD}).status_code == 302


def test_emails_are_one_account_whatever_their_case():
    register_citizen(full_name="Amina", email="Amina@Example.MA", password=PASSWORD)
    assert User.objects.get().email == "amina@example.ma"
    with pytest.raises(ValidationError):
        register_citizen(full_name="Other", email="AMINA@example.ma", password=PASSWORD)


def test_signup_needs_an_email_or_a_phone_and_keeps_the_name(client):
    response = client.post(
        reverse("accounts:signup"), {"full_name": "Driss Lahlou", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert 'value="Driss Lahlou"' in response.text
    assert "contact" in response.context["form"].errors


def test_signup_refuses_an_invalid_phone(client):
    response = client.post(
        reverse("accounts:signup"),
        {"full_name": "X", "contact": "12", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "contact" in response.context["form"].errors


def test_wrong_password_is_refused(client):
    UserFactory(email="amina@example.ma")
    response = client.post(LOGIN, {"username": "amina@example.ma", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


@override_settings(AXES_FAILURE_LIMIT=3)
def test_failed_logins_are_throttled_per_account_whatever_the_spelling(client):
    UserFactory(email="amina@example.ma")
    for spelling in ["amina@example.ma", "AMINA@example.ma", " Amina@Example.ma "]:
        client.post(LOGIN, {"username": spelling, "password": "wrong"})
    response = client.post(LOGIN, {"username": "amina@EXAMPLE.ma", "password": PASSWORD})
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated


@override_settings(AXES_FAILURE_LIMIT=3)
def test_phone_spellings_count_as_one_account(client):
    UserFactory(email=None, phone="0612345678")
    for spelling in ["0612345678", "+212612345678", "06 12 34 56 78"]:
        client.post(LOGIN, {"username": spelling, "password": "wrong"})
    assert client.post(LOGIN, {"username": "+212 6 12 34 56 78", "password": PASSWORD}).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_forwarded_address_is_ignored_without_trusted_proxies(client):
    UserFactory(email="amina@example.ma")
    for number in range(3):
        client.post(
            LOGIN, {"username": "amina@example.ma", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}"
        )
    response = client.post(
        LOGIN, {"username": "amina@example.ma", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="10.0.0.9"
    )
    assert response.status_code == 429


def test_citizens_are_not_asked_for_a_second_factor(client):
    register_citizen(full_name="Amina", email="amina@example.ma", password=PASSWORD)
    client.post(LOGIN, {"username": "amina@example.ma", "password": PASSWORD})
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_password_alone_cannot_enrol_an_authenticator(client, agent):
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    page = client.get(reverse("accounts:two_factor"))
    assert "secret" not in page.context and "<svg" not in page.text
    wrong = client.post(reverse("accounts:two_factor"), {"code": "AAAAA-AAAAA"})
    assert wrong.context["form"].errors and "<svg" not in wrong.text
    assert not TOTPDevice.objects.filter(user=agent).exists()


def test_agent_enrols_an_authenticator_then_reaches_the_workspace(client, agent):
    code = issue_enrolment_code(agent)
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    response = client.get(reverse("portal:workspace"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:two_factor"))

    unlocked = client.post(response.url, {"code": code}, follow=True)
    page = client.get(response.url)
    assert unlocked.status_code == 200 and "<svg" in page.text and page.context["secret"]
    device = TOTPDevice.objects.get(user=agent, confirmed=False)

    wrong = client.post(response.url, {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert client.get(reverse("portal:workspace")).status_code == 302
    # A failure throttles the device for a second; the app's next code comes later than that.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    done = client.post(response.url, {"token": code_for(device)})
    assert done.status_code == 302 and done.url == reverse("portal:workspace")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("portal:workspace")).status_code == 200
    agent.refresh_from_db()
    assert agent.enrolment_code_hash == "" and agent.enrolment_code_expires_at is None


def test_a_new_enrolment_code_retires_the_lost_authenticator(client, agent):
    lost = TOTPDevice.objects.create(user=agent, name="lost phone", confirmed=True)
    code = issue_enrolment_code(agent)
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    client.post(reverse("accounts:two_factor"), {"code": code})
    fresh = client.get(reverse("accounts:two_factor"))
    assert fresh.context["secret"] and TOTPDevice.objects.get(user=agent).pk != lost.pk


def test_enrolled_agent_gives_a_code_at_each_sign_in(client, agent):
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    page = client.get(reverse("accounts:two_factor"))
    assert "secret" not in page.context
    response = client.post(reverse("accounts:two_factor"), {"token": code_for(device)})
    assert response.status_code == 302
    assert client.get(reverse("portal:workspace")).status_code == 200


def test_a_used_code_cannot_be_replayed(client, agent):
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    code = code_for(device)
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    client.post(reverse("accounts:two_factor"), {"token": code})
    client.logout()
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    response = client.post(reverse("accounts:two_factor"), {"token": code})
    assert response.status_code == 200 and response.context["form"].errors


def test_unverified_agents_get_403_from_the_api(client, agent):
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    assert client.get("/api/accounts/me").status_code == 403


def test_open_redirects_are_refused(client, agent):
    device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)
    client.post(LOGIN, {"username": "agent@commune.ma", "password": PASSWORD})
    response = client.post(reverse("accounts:two_factor") + "?next=https://evil.example/", {"token": code_for(device)})
    assert response.url == reverse("portal:home")
