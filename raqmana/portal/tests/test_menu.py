"""The menu of the base template shows each person the entries the apps declared for what they may do."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.kernel import navigation
from raqmana.kernel.navigation import Entry
from raqmana.portal.checks import menu_entries_lead_somewhere
from raqmana.portal.menu import menu_for
from raqmana.territories.models import CivilStatusOffice, LegalisationOffice, Territory

pytestmark = pytest.mark.django_db

PUBLIC = ["portal:home", "portal:office_finder", "procedures:catalogue"]
# An agent finds their own documents and dossiers beside their name (portal.menu), a citizen in the menu.
OWN = ["documents:orders", "procedures:dossiers", "complaints:mine", "legalisation:mine"]
COUNTER = ["portal:workspace", "civil_status:queue", "documents:counter", "documents:checks"]


def menu(user, verified=True):
    if user.is_authenticated:
        user.is_verified = lambda: verified  # what django-otp's middleware sets on the request's user
    return [entry.url_name for entry in menu_for(user)]


def holding(role, **place):
    person = UserFactory()
    grant_role(person, role, by=None, reason="appointed", **place)
    return person


def temara_office():
    return CivilStatusOffice.objects.get(territory__code="04.501.01.07")


def test_anyone_sees_the_public_pages():
    assert menu(AnonymousUser()) == PUBLIC


def test_a_citizen_also_sees_their_documents():
    assert menu(UserFactory()) == [*PUBLIC, *OWN]


@pytest.mark.parametrize(
    ("role", "beyond_the_counter"),
    [(Role.CIVIL_STATUS_AGENT, []), (Role.CIVIL_STATUS_OFFICER, ["portal:undelivered_notifications"])],
)
def test_civil_status_staff_see_their_counter_and_no_supervision(role, beyond_the_counter):
    assert menu(holding(role, unit=temara_office())) == [*PUBLIC, *COUNTER, "proposals:list", *beyond_the_counter]


def test_an_agent_sees_nothing_before_their_second_factor():
    """Every page would send them back to the second factor: the menu offers none."""
    agent = holding(Role.CIVIL_STATUS_AGENT, unit=temara_office())
    assert menu(agent, verified=False) == []


def test_a_mail_registry_agent_sees_the_workspace_and_the_mail_registry_but_not_the_civil_status_register():
    temara = Territory.objects.get(code="04.501.01.07")
    assert menu(holding(Role.MAIL_REGISTRY_AGENT, territory=temara)) == [
        *PUBLIC,
        "portal:workspace",
        "mail_registry:search",
        "proposals:list",
    ]


def test_a_legalisation_officer_sees_the_workspace_and_the_office():
    office = LegalisationOffice.objects.get(territory__code="04.501.01.07")
    assert menu(holding(Role.LEGALISATION_OFFICER, unit=office)) == [
        *PUBLIC,
        "portal:workspace",
        "legalisation:queue",
        "proposals:list",
    ]


def test_an_inspector_sees_supervision_only():
    province = Territory.objects.get(code="04.501")
    assert menu(holding(Role.PROVINCIAL_INSPECTOR, territory=province)) == [
        *PUBLIC,
        "portal:supervision",
        "proposals:list",
    ]


def test_a_superuser_supervises_and_administers_but_works_at_no_counter():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert menu(superuser) == [
        *PUBLIC,
        *OWN,
        "mail_registry:search",
        "procedures:queue",
        "complaints:queue",
        "legalisation:queue",
        "portal:supervision",
        "portal:undelivered_notifications",
        "admin:index",
    ]
    assert "admin:index" not in menu(superuser, verified=False)


def test_the_page_renders_the_menu_in_the_persons_language(client, verified_client):
    province = Territory.objects.get(code="04.501")
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        anonymous = client.get(reverse("portal:home")).text
        assert f'<a href="{reverse("portal:office_finder")}">Civil status offices</a>' in anonymous
        assert f'href="{reverse("portal:supervision")}"' not in anonymous
        page = verified_client(holding(Role.PROVINCIAL_INSPECTOR, territory=province)).get(reverse("portal:home"))
    assert f'<a href="{reverse("portal:supervision")}">Supervision</a>' in page.text
    assert f'href="{reverse("documents:counter")}"' not in page.text


def test_the_menu_links_under_the_script_prefix_the_site_is_served_at(client):
    """Each address is reversed once per script prefix: a site served behind a path links there, and the same
    process serving it at the root links to the root."""
    client.force_login(UserFactory())
    client.cookies["django_language"] = "fr"
    set_script_prefix("/raqmana/")  # what the WSGI handler does with SCRIPT_NAME (the test client does not)
    try:
        under_a_path = client.get("/").text
    finally:
        clear_script_prefix()
    assert '<li><a href="/raqmana/documents/orders/">Mes documents</a></li>' in under_a_path
    assert '<a class="brand" href="/raqmana/">' in under_a_path
    at_the_root = client.get("/").text
    assert '<li><a href="/documents/orders/">Mes documents</a></li>' in at_the_root


def test_each_entry_names_a_page_whose_audience_is_said_once(monkeypatch):
    assert menu_entries_lead_somewhere(None) == []
    wrong = [
        Entry("?", "portal:nowhere", order=1),
        Entry("?", "portal:commune_suggestions", order=2, shown_to="portal.nothing"),  # its view declares none
        Entry("?", "portal:home", order=3, shown_to="anyone"),  # its view already does
    ]
    monkeypatch.setattr("raqmana.portal.checks.ENTRIES", wrong)
    assert [error.id for error in menu_entries_lead_somewhere(None)] == ["portal.E002", "portal.E001", "portal.E003"]


def test_a_url_declared_twice_is_refused(monkeypatch):
    monkeypatch.setattr(navigation, "ENTRIES", [])
    navigation.declare(Entry("A", "portal:home", order=1))
    with pytest.raises(ValueError, match="portal:home"):
        navigation.declare(Entry("B", "portal:home", order=2))
