"""Digitised acts on the agents' pages: the act shows its place in the paper register, and the register search
finds an act by its number as written on paper."""

import pytest
from django.urls import reverse
from django.utils import translation

from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.bulk_load import load_historical_acts
from raqmana.civil_status.synthetic import ActGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper_acts(temara_office, agent):
    """Acts 1 to 3 of volume 2 of Témara's 1985 register, and "2 مكرر" written after act 2."""
    temara = temara_office.territory
    generator = ActGenerator([temara], {temara.pk: temara_office.pk}, seed=6)
    rows = [
        {**generator.birth(agent.pk), "year": 1985, "register_volume": "2", "paper_number": number}
        for number in ("1", "2", "2 مكرر", "3")
    ]
    load_historical_acts(rows, by=agent, reason="Digitising")
    return {act.paper_number: act for act in Act.objects.all()}


def english_client(verified_client, user):
    client = verified_client(user)
    client.cookies["django_language"] = "en"
    return client


def test_a_digitised_act_shows_its_paper_register_and_an_electronic_one_does_not(
    verified_client, paper_acts, temara_office, agent, officer, birth_data
):
    client = english_client(verified_client, agent)
    page = client.get(reverse("civil_status:act", args=[paper_acts["2 مكرر"].pk]), {"reason": "extract"})
    assert f"{temara_office.code}/1985/4" in page.text  # after act 3, the last plain number
    assert "<dt>Paper register</dt><dd>volume <bdi>2</bdi>, act <bdi>2 مكرر</bdi></dd>" in page.text

    signed = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    assert "Paper register" not in client.get(reverse("civil_status:act", args=[signed.pk]), {"reason": "extract"}).text


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("2", ["2"]),
        ("002", ["2"]),
        ("2 مكرر", ["2 مكرر"]),
        ("  2   مكرر ", ["2 مكرر"]),
        ("2مكرر", ["2 مكرر"]),
        ("4", ["2 مكرر"]),
        ("5", []),
        ("2 bis", []),
    ],
)
def test_the_search_finds_an_act_by_its_paper_number_in_its_year(verified_client, paper_acts, agent, typed, found):
    client = english_client(verified_client, agent)
    response = client.get(reverse("civil_status:search"), {"number": typed, "year": "1985", "reason": "extract"})
    assert [act.paper_number for act in response.context["found"].acts] == found


def test_a_number_no_register_has_is_refused_by_the_form(verified_client, agent):
    client = english_client(verified_client, agent)
    response = client.get(reverse("civil_status:search"), {"number": "99999999999", "reason": "extract"})
    with translation.override("en"):  # the form's errors are read after the request, in the test's language
        assert response.context["form"].errors["number"] == ["An act number is between 1 and 2,147,483,647."]


@pytest.mark.parametrize("typed", ["-5", "abc", "12.5", "2 a", "مكرر"])
def test_a_number_that_is_no_act_number_is_refused_by_the_form(verified_client, agent, typed):
    client = english_client(verified_client, agent)
    response = client.get(reverse("civil_status:search"), {"number": typed, "reason": "extract"})
    assert response.status_code == 200 and response.context["found"] is None
    with translation.override("en"):
        assert response.context["form"].errors["number"] == [
            "An act number is written in digits, alone or followed by one of these words: "
            "مكرر, مكرر مرتين, مكرر ثلاث مرات, bis, ter, quater."
        ]
