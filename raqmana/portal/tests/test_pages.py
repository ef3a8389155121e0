import re

import pytest
from django.urls import reverse

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.models import User
from raqmana.accounts.services.two_factor import enrolment_code_matches
from raqmana.accounts.tests.factories import UserFactory
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def temara_agent():
    agent = UserFactory(full_name="Salma Bennani")
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="recruited")
    colleague = UserFactory(full_name="Youssef El Idrissi")
    grant_role(colleague, Role.CIVIL_STATUS_OFFICER, unit=office, by=None, reason="decree")
    stranger = UserFactory(full_name="Agent of Skhirate")
    skhirate = CivilStatusOffice.objects.get(territory__code="04.501.01.05")
    grant_role(stranger, Role.CIVIL_STATUS_AGENT, unit=skhirate, by=None, reason="recruited")
    return agent


def test_home_is_arabic_and_right_to_left_by_default_whatever_the_browser_prefers(client):
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.8")
    assert '<html lang="ar" dir="rtl">' in response.text
    assert response.headers["Content-Language"] == "ar"
    assert "1\xa0503" in response.text and "1\xa0544" in response.text


def test_language_switch_is_remembered(client):
    response = client.post(reverse("accounts:set_language"), {"language": "fr", "next": "/"})
    assert response.cookies["django_language"].value == "fr"
    assert '<html lang="fr" dir="ltr">' in client.get("/").text
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en" dir="ltr">' in client.get("/").text


def test_the_language_switch_marks_the_language_of_each_page(client):
    """Its buttons are rendered once per language and kept: each page marks its own language, and no other."""
    client.force_login(UserFactory())
    for language in ["ar", "fr", "en", "ar"]:
        client.cookies["django_language"] = language
        page = client.get(reverse("portal:office_finder")).text
        assert re.findall(r'name="language" value="(\w+)"', page) == ["ar", "fr", "en"]
        assert re.findall(r'name="language" value="(\w+)" lang="\w+"\s+aria-current="true"', page) == [language]


def test_language_choice_is_kept_on_the_account_and_restored_at_sign_in(client):
    from raqmana.accounts.tests.factories import PASSWORD

    person = UserFactory(email="amina@example.ma")
    client.force_login(person, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    client.post(reverse("accounts:set_language"), {"language": "fr", "next": "/"})
    person.refresh_from_db()
    assert person.preferred_language == "fr"

    client.logout()
    client.cookies.clear()
    response = client.post(reverse("accounts:login"), {"username": "amina@example.ma", "password": PASSWORD})
    assert response.cookies["django_language"].value == "fr"


def test_a_choice_made_on_this_device_before_sign_in_wins_and_is_kept(client):
    from raqmana.accounts.tests.factories import PASSWORD

    person = UserFactory(email="amina@example.ma", preferred_language="ar")
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    client.post(reverse("accounts:login"), {"username": "amina@example.ma", "password": PASSWORD})
    person.refresh_from_db()
    assert person.preferred_language == "en"
    assert '<html lang="en" dir="ltr">' in client.get("/").text


def test_office_finder_searches_in_both_scripts(client):
    by_arabic = client.get(reverse("portal:office_finder"), {"q": "تمارة"})
    assert "Bureau d'état civil de Témara" in by_arabic.text or "مكتب الحالة المدنية تمارة" in by_arabic.text
    partial = client.get(reverse("portal:office_finder"), {"q": "Anfa"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.text and "أنفا" in partial.text


def test_workspace_shows_the_agents_office_and_team_only(verified_client, temara_agent):
    response = verified_client(temara_agent).get(reverse("portal:workspace"))
    assert response.status_code == 200
    assert "مكتب الحالة المدنية تمارة" in response.text
    assert "Youssef El Idrissi" in response.text
    assert "Agent of Skhirate" not in response.text


def test_citizens_have_no_workspace(verified_client):
    assert verified_client(UserFactory()).get(reverse("portal:workspace")).status_code == 403


def test_supervision_lists_the_places_under_a_governor_and_drills_down(verified_client, temara_agent):
    governor = UserFactory()
    grant_role(governor, Role.GOVERNOR_SERVICES, territory=Territory.objects.get(code="04.501"), by=None, reason="x")
    client = verified_client(governor)
    top = client.get(reverse("portal:supervision"))
    assert top.status_code == 200
    row = top.context["rows"][0]
    assert row["territory"].code == "04.501" and row["communes"] == row["offices"] >= 2 and row["agents"] == 4

    children = client.get(reverse("portal:supervision_territory", args=["04.501"]), HTTP_HX_REQUEST="true")
    codes = {row["territory"].code for row in children.context["rows"]}
    assert {"04.501.01.07", "04.501.01.05"} <= codes
    temara = next(row for row in children.context["rows"] if row["territory"].code == "04.501.01.07")
    assert temara["agents"] == 2

    assert client.get(reverse("portal:supervision_territory", args=["04.421"])).status_code == 404
    assert client.get(reverse("portal:supervision_territory", args=["04"])).status_code == 404


def test_national_supervision_starts_from_the_twelve_regions(verified_client):
    dgct = UserFactory()
    grant_role(dgct, Role.DGCT, by=None, reason="x")
    response = verified_client(dgct).get(reverse("portal:supervision"))
    assert len(response.context["rows"]) == 12
    assert sum(row["communes"] for row in response.context["rows"]) == 1503
    assert sum(row["offices"] for row in response.context["rows"]) == 1544


def test_local_agents_have_no_supervision(verified_client, temara_agent):
    assert verified_client(temara_agent).get(reverse("portal:supervision")).status_code == 403


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_admin_works_in_three_languages(verified_client, language):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = verified_client(admin_user)
    client.cookies["django_language"] = language
    for url in ["/admin/", "/admin/territories/administrativeunit/", "/admin/access/roleassignment/add/",
                "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/audit/auditevent/",
                "/admin/accounts/enterprise/"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.text
    assert 'dir="rtl"' in client.get("/admin/").text if language == "ar" else True


def test_admin_requires_the_second_factor(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:two_factor"))


def test_admin_site_itself_refuses_an_unverified_session():
    from django.test import RequestFactory

    from raqmana.urls import RaqmanaAdminSite

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    request.user.is_verified = lambda: False
    assert not RaqmanaAdminSite().has_permission(request)
    request.user.is_verified = lambda: True
    assert RaqmanaAdminSite().has_permission(request)


def test_admin_is_for_superusers_only(verified_client):
    staff = UserFactory(is_staff=True)
    response = verified_client(staff).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_admin_adds_a_phone_only_person_with_a_normalised_number(verified_client):
    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    password = "a-long-enough-password"
    response = client.post(
        "/admin/accounts/user/add/",
        {"email": "", "phone": "06 12 34 56 78", "full_name": "Driss Lahlou", "password1": password,
         "password2": password, "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(full_name="Driss Lahlou")
    assert (person.email, person.phone) == (None, "+212612345678")


def test_admin_issues_an_enrolment_code_shown_once(verified_client):
    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    agent = UserFactory()
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_codes", "_selected_action": [agent.pk]},
        follow=True,
    )
    shown = " ".join(str(message) for message in response.context["messages"])
    code = re.search(r"[A-Z2-9]{5}-[A-Z2-9]{5}", shown).group()
    agent.refresh_from_db()
    assert enrolment_code_matches(agent, code)


def test_admin_grants_roles_through_the_rules(verified_client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = verified_client(admin_user)
    person = UserFactory()
    temara = Territory.objects.get(code="04.501.01.07")
    url = "/admin/access/roleassignment/add/"
    refused = client.post(
        url, {"user": person.pk, "role": Role.CIVIL_STATUS_AGENT, "territory": temara.pk, "grant_reason": "x"}
    )
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    office = CivilStatusOffice.objects.get(territory=temara)
    done = client.post(
        url, {"user": person.pk, "role": Role.CIVIL_STATUS_AGENT, "unit": office.pk, "grant_reason": "recruited"}
    )
    assert done.status_code == 302
    assignment = person.role_assignments.get()
    assert assignment.granted_by == admin_user and assignment.territory == temara
