"""A name alone can match many acts: the screen and the API say how many, page them and say what to add."""

import pytest
from django.urls import reverse
from django.utils import translation

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.services.bulk_load import load_historical_acts
from raqmana.civil_status.synthetic import ActGenerator
from raqmana.territories.models import CivilStatusOffice, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes(temara_office, agent):
    """55 Youssef El Alaoui born in Témara over the years, and a Fatima Bennani."""
    temara = Territory.objects.get(code="04.501.01.07")
    generator = ActGenerator([temara], {temara.pk: temara_office.pk}, seed=3)
    rows = [generator.birth(agent.pk) for _ in range(56)]
    for row in rows[:55]:
        row.update(
            first_name_ar="يوسف", family_name_ar="العلوي", first_name_latin="Youssef", family_name_latin="El Alaoui"
        )
    rows[55].update(
        first_name_ar="فاطمة", family_name_ar="بناني", first_name_latin="Fatima", family_name_latin="Bennani"
    )
    load_historical_acts(rows, by=agent, reason="test")


def test_the_screen_counts_pages_and_advises(namesakes, verified_client, agent, settings):
    client = verified_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("civil_status:search")
    first = client.get(url, {"name": "Yousef Alaoui", "reason": "duplicates"})
    found = first.context["found"]
    assert (found.total, found.page, len(found.acts)) == (55, 1, 20)
    assert "55 acts match" in first.text and "add a year of birth" in first.text
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    third = client.get(url, {"name": "Yousef Alaoui", "reason": "duplicates", "page": 3})
    assert len(third.context["found"].acts) == 15 and 'rel="next"' not in third.text and 'rel="prev"' in third.text
    shown = {
        act.pk
        for page in (1, 2, 3)
        for act in client.get(url, {"name": "Yousef Alaoui", "reason": "duplicates", "page": page})
        .context["found"]
        .acts
    }
    assert len(shown) == 55
    narrow = client.get(url, {"name": "Fatima Bennani", "reason": "duplicates"})
    assert narrow.context["found"].total == 1 and "add a year of birth" not in narrow.text
    event = AuditEvent.objects.filter(action="act.searched").first()
    assert event.unit.territory.code == "04.501.01.07" and event.details["found"] == 1


def test_the_api_pages_too(namesakes, verified_client, agent):
    client = verified_client(agent)
    answer = client.get("/api/civil-status/acts", {"name": "يوسف العلوي", "reason": "x", "per_page": 10, "page": 6})
    body = answer.json()
    assert answer.status_code == 200
    assert (body["total"], body["page"], body["per_page"], len(body["results"])) == (55, 6, 10, 5)
    assert body["needs_more_facts"] and body["advice"] and not body["total_is_capped"]
    assert all(0 <= row["score"] <= 1 for row in body["results"])
    assert client.get("/api/civil-status/acts", {"name": "x", "reason": "x", "per_page": 1000}).status_code == 422


def test_an_agent_of_another_office_finds_none_of_them(namesakes, verified_client):
    stranger = UserFactory()
    grant_role(
        stranger,
        Role.CIVIL_STATUS_AGENT,
        unit=CivilStatusOffice.objects.get(territory__code="04.501.01.05"),
        by=None,
        reason="t",
    )
    body = verified_client(stranger).get("/api/civil-status/acts", {"name": "Youssef Alaoui", "reason": "x"}).json()
    assert (body["total"], body["results"]) == (0, [])


def test_a_family_name_alone_with_year_and_commune_finds_everyone_who_bears_it(temara_office, agent, officer):
    temara = Territory.objects.get(code="04.501.01.07")
    generator = ActGenerator([temara], {temara.pk: temara_office.pk}, seed=5)
    rows = [generator.birth(agent.pk) for _ in range(6)]
    firsts = [("يوسف", "Youssef"), ("آية", "Aya"), ("خالد", "Khalid"), ("هدى", "Houda")]
    for row, (arabic, latin) in zip(rows, firsts, strict=False):
        row.update(first_name_ar=arabic, first_name_latin=latin, family_name_ar="الإدريسي", family_name_latin="")
        row["birth_date"] = row["birth_date"].replace(year=1990, day=1)
        row["declared_on"], row["mother_birth_date"], row["father_birth_date"] = row["birth_date"], None, None
    load_historical_acts(rows, by=agent, reason="test")
    from raqmana.civil_status.search import ActQuery
    from raqmana.civil_status.selectors import search_advice, search_register

    narrowed = search_register(officer, ActQuery(name="Drissi", birth_year=1990, birth_place_id=temara.pk), reason="r")
    assert narrowed.total == 4 and not search_advice(narrowed)
    alone = search_register(officer, ActQuery(name="Idrissi"), reason="r")
    with translation.override("en"):
        assert alone.single_name and "add the year and the commune" in search_advice(alone)


def test_a_parents_name_alone_is_refused_by_name(verified_client, agent):
    answer = verified_client(agent).get("/api/civil-status/acts", {"parent_name": "محمد", "reason": "r"})
    assert answer.status_code == 422 and answer.json()["detail"].startswith("parent_name: ")
