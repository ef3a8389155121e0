"""Duplicate warnings that mean something: same parents only count for births close in time."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.selectors import likely_duplicates
from raqmana.civil_status.services.acts import draft_act, sign_act

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(temara_office, agent, officer):
    def sign(data):
        return sign_act(draft_act(temara_office, ActKind.BIRTH, data, by=agent), by=officer)

    return sign


def born_on(birth_data, day, **changes):
    return {
        **birth_data,
        "birth_date": day,
        "declared_on": day + timedelta(days=2),
        "mother_birth_date": None,
        **changes,
    }


LATE = {"late_judgment_number": "45/2026", "late_judgment_court": "المحكمة الابتدائية بتمارة"}


def test_a_namesake_born_years_apart_to_the_same_parents_is_not_flagged(signed, temara_office, agent, birth_data):
    signed(born_on(birth_data, date(1985, 3, 1), **LATE))
    later = draft_act(temara_office, ActKind.BIRTH, born_on(birth_data, date(2001, 3, 1), **LATE), by=agent)
    assert likely_duplicates(later) == []


def test_same_name_and_parents_within_the_window_is_flagged_with_the_candidate(
    signed, temara_office, agent, birth_data, settings
):
    settings.LANGUAGE_CODE = "en"
    first = signed(born_on(birth_data, date(2001, 3, 1), **LATE))
    second = draft_act(temara_office, ActKind.BIRTH, born_on(birth_data, date(2001, 3, 5), **LATE), by=agent)
    [row] = likely_duplicates(second)
    assert row["pk"] == first.pk and row["reason"] == "same_name_and_parents"
    assert (row["first_name_ar"], row["family_name_ar"], row["birth_date"]) == ("يوسف", "العلوي", date(2001, 3, 1))
    assert row["office_name_fr"] == temara_office.name_fr and row["reference"] == first.reference
    outside = draft_act(temara_office, ActKind.BIRTH, born_on(birth_data, date(2001, 3, 7), **LATE), by=agent)
    assert likely_duplicates(outside) == []
    settings.RAQMANA_DUPLICATE_BIRTH_WINDOW_DAYS = 10
    assert [row["pk"] for row in likely_duplicates(outside)] == [first.pk]


def test_parents_are_still_compared_when_the_fathers_name_is_missing(signed, temara_office, agent, birth_data):
    first = signed(born_on(birth_data, date(2001, 3, 1), **LATE))
    no_father = born_on(birth_data, date(2001, 3, 3), father_first_name_ar="", **LATE)
    assert [row["pk"] for row in likely_duplicates(draft_act(temara_office, ActKind.BIRTH, no_father, by=agent))] == [
        first.pk
    ]
    other_mother = born_on(birth_data, date(2001, 3, 3), mother_first_name_ar="خديجة", **LATE)
    assert likely_duplicates(draft_act(temara_office, ActKind.BIRTH, other_mother, by=agent)) == []


def test_the_warning_names_and_links_the_candidate(signed, temara_office, agent, birth_data, verified_client, settings):
    first = signed(birth_data)
    second = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    client = verified_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("civil_status:act", args=[second.pk]), {"reason": "drafting"})
    assert f'href="{reverse("civil_status:act", args=[first.pk])}?reason=duplicates"' in page.text
    assert first.reference in page.text and "يوسف العلوي" in page.text and escape(temara_office.name_fr) in page.text
