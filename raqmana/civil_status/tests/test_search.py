from datetime import date, timedelta

import pytest

from raqmana.accounts.constants import Role
from raqmana.accounts.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.models import Act
from raqmana.civil_status.search import ActQuery, search_acts
from raqmana.civil_status.services import draft_act, sign_act

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


def names(results):
    return [act.first_name_latin for act in results]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("يوسف العلوي", "Youssef"),
        ("يُوسُف علوي", "Youssef"),
        ("Yousef Alaoui", "Youssef"),
        ("Youssef El-Alaoui", "Youssef"),
        ("Muhammad Idrissi", "Mohammed"),
        ("Mohamed El Idrissi", "Mohammed"),
        ("محمد ادريسي", "Mohammed"),
        ("فاطمه الزهراء بناني", "Fatima Zahra"),
        ("Fatima Zahra Benani", "Fatima Zahra"),
        ("عبدالرحمن تازي", "Abderrahmane"),
        ("Abderrahman Tazi", "Abderrahmane"),
        ("Khadidja Ben Ali", "Khadija"),
        ("خديجه بن علي", "Khadija"),
    ],
)
def test_spelling_variants_find_the_act(register, agent, typed, expected):
    results = search_acts(Act.objects.visible_to(agent), ActQuery(name=typed))
    assert names(results)[:1] == [expected]


def test_other_facts_narrow_the_search(register, agent):
    acts = Act.objects.visible_to(agent)
    assert names(search_acts(acts, ActQuery(parent_name="عبد الرحمن"))) == ["Fatima Zahra"]
    assert names(search_acts(acts, ActQuery(birth_date=register[3].birth_date))) == ["Abderrahmane"]
    assert names(search_acts(acts, ActQuery(number=register[1].number, year=register[1].year))) == ["Mohammed"]
    assert names(search_acts(acts, ActQuery(idcs=register[4].idcs))) == ["Khadija"]
    assert search_acts(acts, ActQuery(idcs=register[4].idcs[:-1] + "0" if register[4].idcs[-1] != "0" else "1")) == []


def test_search_stays_within_the_agents_rights(register):
    stranger = UserFactory()
    from raqmana.territories.models import CivilStatusOffice

    grant_role(
        stranger,
        Role.CIVIL_STATUS_AGENT,
        office=CivilStatusOffice.objects.get(territory__code="04.501.01.05"),
        by=None,
        reason="t",
    )
    assert search_acts(Act.objects.visible_to(stranger), ActQuery(name="Youssef")) == []
