"""A maternity's staff follow what their establishment filed: newest first, each with where it stands at the office,
and nothing of another establishment's."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind, EstablishmentKind, PreDeclarationState, Sex
from raqmana.civil_status.models import Establishment
from raqmana.civil_status.selectors import pre_declarations_filed_for
from raqmana.civil_status.services.pre_declarations import dismiss_pre_declaration, file_pre_declaration
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db


def maternity(name):
    establishment = Establishment.objects.create(
        kind=EstablishmentKind.HEALTH, name_ar=name, name_fr=name, commune=Territory.objects.get(code="04.501.01.07")
    )
    clerk = UserFactory()
    establishment.members.add(clerk)
    return establishment, clerk


def filed(establishment, clerk, first_name, days_ago=0):
    born = date.today() - timedelta(days=days_ago)
    data = {"kind": ActKind.BIRTH, "sex": Sex.FEMALE, "first_name_ar": first_name, "event_date": born}
    return file_pre_declaration(establishment, data, by=clerk)


@pytest.fixture
def two_maternities(temara_office):
    temara, clerk = maternity("Temara")
    other, other_clerk = maternity("Other")
    first = filed(temara, clerk, "سلمى", days_ago=2)
    second = filed(temara, clerk, "مريم", days_ago=1)
    filed(other, other_clerk, "هند")
    return clerk, other_clerk, first, second


def test_a_member_reads_their_establishments_filings_newest_first(two_maternities):
    clerk, other_clerk, first, second = two_maternities
    assert list(pre_declarations_filed_for(clerk)) == [second, first]
    assert [item.first_name_ar for item in pre_declarations_filed_for(other_clerk)] == ["هند"]
    assert not pre_declarations_filed_for(UserFactory()).exists()


def test_an_inactive_establishment_shows_nothing_any_more(two_maternities):
    clerk, *_ = two_maternities
    Establishment.objects.filter(members=clerk).update(is_active=False)
    assert not pre_declarations_filed_for(clerk).exists()


def test_the_page_lists_them_with_their_state_and_the_reason_of_a_dismissal(two_maternities, verified_client, agent):
    clerk, other_clerk, first, second = two_maternities
    dismiss_pre_declaration(first, by=agent, reason="Déjà déclarée")
    client = verified_client(clerk)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("civil_status:pre_declarations")).text
    assert page.index("مريم") < page.index("سلمى") and "هند" not in page
    with translation.override("en"):
        assert str(PreDeclarationState.RECEIVED.label) in page and str(PreDeclarationState.DISMISSED.label) in page
    assert "Déjà déclarée" in page and second.receipt_number in page
    assert f'href="{reverse("civil_status:pre_declaration_new")}"' in page
    other_page = verified_client(other_clerk).get(reverse("civil_status:pre_declarations")).text
    assert "سلمى" not in other_page and "هند" in other_page


def test_where_she_lands_links_the_form_and_shows_the_latest(two_maternities, verified_client):
    clerk, *_ = two_maternities
    home = verified_client(clerk).get(reverse("portal:home")).text
    assert f'href="{reverse("civil_status:pre_declaration_new")}"' in home
    assert f'href="{reverse("civil_status:pre_declarations")}"' in home  # the menu and "All pre-declarations"
    assert "مريم" in home and "سلمى" in home and "هند" not in home


def test_a_filing_leads_to_the_list_with_it_on_top(temara_office, verified_client):
    _establishment, clerk = maternity("Temara")
    client = verified_client(clerk)
    answer = client.post(
        reverse("civil_status:pre_declaration_new"),
        {"kind": "birth", "sex": "F", "first_name_ar": "ليلى", "event_date": str(date.today())},
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("civil_status:pre_declarations")
    assert "ليلى" in client.get(answer["Location"]).text


def test_someone_of_no_establishment_is_refused_with_the_reason(verified_client):
    client = verified_client(UserFactory())
    client.cookies["django_language"] = "en"
    page = client.get(reverse("civil_status:pre_declarations"))
    assert page.status_code == 403 and "Only the members of a declaring establishment" in page.text
