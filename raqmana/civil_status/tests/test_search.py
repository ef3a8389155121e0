from datetime import date, datetime, time, timedelta
from itertools import count

import pytest
from django.utils import timezone

from raqmana.access.roles import Role
from raqmana.access.scoping import visible_to
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status import search
from raqmana.civil_status.constants import ActKind, ActState, DeclarantRelation, Sex
from raqmana.civil_status.models import Act
from raqmana.civil_status.search import ActQuery, SearchPage, search_acts
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.bulk_load import load_historical_acts
from raqmana.territories.models import CivilStatusOffice

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("يوسف", "العلوي", "Youssef", "El Alaoui", "محمد", "فاطمة"),
    ("محمد", "الإدريسي", "Mohammed", "El Idrissi", "أحمد", "خديجة"),
    ("فاطمة الزهراء", "بناني", "Fatima Zahra", "Bennani", "عبد الرحمن", "عائشة"),
    ("عبد الرحمن", "التازي", "Abderrahmane", "Tazi", "الحسين", "آمنة"),
    ("خديجة", "بنعلي", "Khadija", "Benali", "يحيى", "مريم"),
]


@pytest.fixture
def register(temara_office, agent, officer, birth_data):
    acts = []
    for index, (first, family, first_latin, family_latin, father, mother) in enumerate(PEOPLE):
        data = {
            **birth_data,
            "first_name_ar": first,
            "family_name_ar": family,
            "first_name_latin": first_latin,
            "family_name_latin": family_latin,
            "father_first_name_ar": father,
            "mother_first_name_ar": mother,
            "birth_date": date.today() - timedelta(days=index + 1),
        }
        acts.append(sign_act(draft_act(temara_office, ActKind.BIRTH, data, by=agent), by=officer))
    return acts


PAPER_NUMBERS = count(1)


def load(office, agent, people, birth_date=date(1960, 3, 1)):
    """Old acts loaded in bulk, one per (Arabic names, Latin names or "" when the act has none, signed on day),
    signed on 1 January 1970 plus `day` days, so that later days are more recent."""
    rows = []
    for first_ar, family_ar, first_latin, family_latin, day in people:
        signed = datetime.combine(
            date(1970, 1, 1) + timedelta(days=day), time(10), tzinfo=timezone.get_current_timezone()
        )
        rows.append(
            {
                "office_id": office.pk, "kind": ActKind.BIRTH, "state": ActState.SIGNED, "year": signed.year,
                "sex": Sex.MALE, "first_name_ar": first_ar, "family_name_ar": family_ar,
                "first_name_latin": first_latin, "family_name_latin": family_latin, "birth_date": birth_date,
                "birth_place_id": office.territory_id, "declarant_name": "الأب",
                "declarant_relation": DeclarantRelation.FATHER, "declared_on": birth_date + timedelta(days=3),
                "drafted_by_id": agent.pk, "signed_by_id": agent.pk, "signed_at": signed, "register_volume": "1",
                "paper_number": str(next(PAPER_NUMBERS)),
            }
        )  # fmt: skip
    load_historical_acts(rows, by=agent, reason="test")
    return list(Act.objects.filter(signed_at__year__lt=2000).order_by("signed_at"))


def names(found):
    return [act.first_name_latin for act in found.acts]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("يوسف العلوي", "Youssef"),
        ("يُوسُف علوي", "Youssef"),
        ("Yousef Alaoui", "Youssef"),
        ("Youcef Alaoui", "Youssef"),
        ("Alaoui Youssef", "Youssef"),
        ("Youssef El-Alaoui", "Youssef"),
        ("Muhammad Idrissi", "Mohammed"),
        ("Mohamed Drissi", "Mohammed"),
        ("محمد ادريسي", "Mohammed"),
        ("فاطمه الزهراء بناني", "Fatima Zahra"),
        ("Fatima-Ezzahra Benani", "Fatima Zahra"),
        ("عبدالرحمن تازي", "Abderrahmane"),
        ("Abderrahman Ettazi", "Abderrahmane"),
        ("Khadidja Ben Ali", "Khadija"),
        ("خديجه بن علي", "Khadija"),
    ],
)
def test_spelling_variants_find_the_act(register, agent, typed, expected):
    found = search_acts(visible_to(Act.objects.all(), agent), ActQuery(name=typed))
    assert isinstance(found, SearchPage)
    assert names(found)[:1] == [expected]


def test_other_facts_narrow_the_search(register, agent):
    acts = visible_to(Act.objects.all(), agent)
    assert names(search_acts(acts, ActQuery(parent_name="عبد الرحمن"))) == ["Fatima Zahra"]
    assert names(search_acts(acts, ActQuery(birth_date=register[3].birth_date))) == ["Abderrahmane"]
    assert names(search_acts(acts, ActQuery(number=register[1].number, year=register[1].year))) == ["Mohammed"]
    assert names(search_acts(acts, ActQuery(idcs=register[4].idcs))) == ["Khadija"]
    wrong_digit = register[4].idcs[:-1] + ("0" if register[4].idcs[-1] != "0" else "1")
    assert search_acts(acts, ActQuery(idcs=wrong_digit)).acts == []
    by_date = search_acts(acts, ActQuery(birth_date=register[3].birth_date))
    assert by_date.total == 1 and by_date.acts[0].score == 1.0 and not by_date.needs_more_facts


def test_with_facts_a_name_typed_wrong_is_still_found(register, agent):
    """Facts that leave few acts let every one of them be compared by spelling: a wrong consonant is forgiven."""
    query = ActQuery(name="Abderrahmane Tari", birth_date=register[3].birth_date)
    assert names(search_acts(visible_to(Act.objects.all(), agent), query)) == ["Abderrahmane"]
    assert search_acts(visible_to(Act.objects.all(), agent), ActQuery(name="Abderrahmane Tari")).acts == []


def test_a_latin_query_finds_an_act_written_in_arabic_only(temara_office, agent):
    load(temara_office, agent, [("يوسف", "الإدريسي", "", "", 1), ("نور الدين", "التازي", "", "", 2)])
    acts = visible_to(Act.objects.all(), agent)
    for typed, family in [("Youcef Drissi", "الإدريسي"), ("Nourdine Ettazi", "التازي"), ("نورالدين تازي", "التازي")]:
        found = search_acts(acts, ActQuery(name=typed))
        assert [act.family_name_ar for act in found.acts] == [family]
        assert found.total == 1


def test_closest_spelling_first_then_the_most_recent(temara_office, agent):
    load(
        temara_office,
        agent,
        [
            ("يوسف", "العلوي", "Youssef", "Alaoui", 1),
            ("يوسف", "العلوي", "", "", 5),  # Arabic only: met by sound, a little lower
            ("يوسف", "العلوي", "Youcef", "Alaoui", 2),
            ("يوسف", "العلوي", "Youcef", "Alaoui", 3),
        ],
    )
    found = search_acts(visible_to(Act.objects.all(), agent), ActQuery(name="Youcef Alaoui"))
    assert [(act.first_name_latin, act.signed_at.day) for act in found.acts] == [
        ("Youcef", 4), ("Youcef", 3), ("Youssef", 2), ("", 6),
    ]  # fmt: skip
    scores = [act.score for act in found.acts]
    assert scores[0] == scores[1] == 1.0 > scores[2] > scores[3] == search.SOUND_MATCH_WEIGHT


def test_many_matches_are_counted_paged_and_call_for_more_facts(temara_office, agent, monkeypatch):
    monkeypatch.setattr(search, "MANY_MATCHES", 10)
    load(temara_office, agent, [("محمد", "العلوي", "Mohamed", "Alaoui", day) for day in range(25)])
    acts = visible_to(Act.objects.all(), agent)
    first = search_acts(acts, ActQuery(name="Mohammed El Alaoui"), per_page=10)
    assert (first.total, first.total_is_capped, first.page_count, first.needs_more_facts) == (25, False, 3, True)
    last = search_acts(acts, ActQuery(name="Mohammed El Alaoui"), page=3, per_page=10)
    assert len(last.acts) == 5 and last.page == 3
    every = first.acts + search_acts(acts, ActQuery(name="Mohammed El Alaoui"), page=2, per_page=10).acts + last.acts
    assert len({act.pk for act in every}) == 25
    assert [act.signed_at for act in every] == sorted((act.signed_at for act in every), reverse=True)
    with_year = search_acts(
        acts, ActQuery(name="Mohammed El Alaoui", birth_year=1960, birth_place_id=temara_office.territory_id)
    )
    assert with_year.total == 25 and not with_year.needs_more_facts


def test_beyond_the_cap_matches_are_ranked_by_spelling_and_the_count_capped(temara_office, agent, monkeypatch):
    """More matches than can be read: each spelling's acts come newest first, the closest spelling first."""
    monkeypatch.setattr(search, "RANKED_MATCHES", 4)
    people = [("محمد", "العلوي", "Mohamed", "Alaoui", day) for day in range(4)]
    people += [("محمد", "العلوي", "Mhamed", "Alaoui", day) for day in range(10, 13)]
    people += [("محمد", "العلوي", "", "", day) for day in range(20, 22)]
    load(temara_office, agent, people)
    acts = visible_to(Act.objects.all(), agent)
    pages = [search_acts(acts, ActQuery(name="Mohammed Alaoui"), page=page, per_page=2) for page in (1, 2, 3, 4, 5)]
    assert all(found.total == 4 and found.total_is_capped and found.needs_more_facts is False for found in pages)
    shown = [(act.first_name_latin, act.signed_at.day) for found in pages for act in found.acts]
    assert shown == [
        ("Mohamed", 4), ("Mohamed", 3), ("Mohamed", 2), ("Mohamed", 1),
        ("Mhamed", 13), ("Mhamed", 12), ("Mhamed", 11), ("", 22), ("", 21),
    ]  # fmt: skip


def test_search_stays_within_the_agents_rights(register, monkeypatch):
    stranger = UserFactory()
    grant_role(
        stranger,
        Role.CIVIL_STATUS_AGENT,
        unit=CivilStatusOffice.objects.get(territory__code="04.501.01.05"),
        by=None,
        reason="t",
    )
    assert search_acts(visible_to(Act.objects.all(), stranger), ActQuery(name="Youssef Alaoui")).acts == []
    monkeypatch.setattr(search, "RANKED_MATCHES", 0)  # the spellings' path reads the whole index: still scoped
    found = search_acts(visible_to(Act.objects.all(), stranger), ActQuery(name="Youssef Alaoui"))
    assert found.acts == []
