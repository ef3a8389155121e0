"""For every kind of person the platform knows, each link of their menu opens, and each page of the menu they cannot
open is absent from it: the menu and the pages say who they are for in one place (access.audiences.open_to)."""

import re

import pytest
from django.urls import reverse

from raqmana.access.roles import ROLE_PLACE, PlaceKind, Role
from raqmana.access.services import grant_role
from raqmana.accounts.services.enterprises import register_enterprise
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import EstablishmentKind
from raqmana.civil_status.models import Establishment
from raqmana.kernel.navigation import ENTRIES
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db

TEMARA = "04.501.01.07"
EVERY_MENU_PAGE = [reverse(entry.url_name) for entry in ENTRIES]
OPENS = 200


def place_of(role):
    commune = Territory.objects.select_related("parent__parent").get(code=TEMARA)
    return {
        PlaceKind.OFFICE: {"unit": CivilStatusOffice.objects.filter(territory=commune).first()},
        PlaceKind.COMMUNE: {"territory": commune},
        PlaceKind.COLLECTIVITY: {"territory": commune},
        PlaceKind.PROVINCE: {"territory": commune.parent},
        PlaceKind.REGION: {"territory": commune.parent.parent},
        PlaceKind.NATIONAL: {},
    }[ROLE_PLACE[role]]


def holding(role):
    person = UserFactory()
    grant_role(person, role, by=None, reason="appointed", **place_of(role))
    return person


def maternity_clerk():
    clerk = UserFactory()
    maternity = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH, name_ar="دار الولادة", name_fr="Maternité",
        commune=Territory.objects.get(code=TEMARA),
    )  # fmt: skip
    maternity.members.add(clerk)
    return clerk


def enterprise_representative():
    person = UserFactory()
    register_enterprise(
        ice="001537619000093", legal_name="Atlas Bâtiment", commune=Territory.objects.get(code=TEMARA),
        representative=person,
    )  # fmt: skip
    return person


PEOPLE = {
    **{role.value: lambda role=role: holding(role) for role in Role},
    "maternity clerk": maternity_clerk,
    "citizen": UserFactory,
    "enterprise representative": enterprise_representative,
    "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    "anonymous": lambda: None,
}


def menu_links(page):
    """The menu's links, and those of an agent's own affairs, beside their name (portal.menu)."""
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', page.text, re.S).group(1)
    return re.findall(r'href="([^"]+)"', nav) + re.findall(r'<a class="own" href="([^"]+)"', page.text)


@pytest.mark.parametrize("who", PEOPLE)
def test_every_link_of_the_menu_opens_and_no_page_that_refuses_is_in_it(who, client, verified_client):
    person = PEOPLE[who]()
    if person is not None:
        client = verified_client(person)
    links = menu_links(client.get(reverse("portal:home")))
    assert links and set(links) <= set(EVERY_MENU_PAGE)
    for link in links:
        assert client.get(link).status_code == OPENS, link
    for page in set(EVERY_MENU_PAGE) - set(links):
        assert client.get(page).status_code != OPENS, page


@pytest.mark.parametrize("who", ["civil_status_agent", "maternity clerk"])
def test_between_password_and_second_factor_the_header_shows_no_link_and_no_name(who, client):
    person = PEOPLE[who]()
    client.force_login(person, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == OPENS
    assert menu_links(page) == []
    assert person.full_name not in page.text
    assert f'action="{reverse("accounts:logout")}"' in page.text
