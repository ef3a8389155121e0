from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from raqmana.calendars.services import load_holidays
from raqmana.calendars.workdays import WorkingCalendar
from raqmana.civil_status import rules
from raqmana.civil_status.constants import ActKind, DeclarantRelation

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar():
    load_holidays(2025, 2026)
    return WorkingCalendar()


def test_birth_deadline_is_30_days_or_one_year_abroad(calendar):
    assert rules.declaration_deadline(date(2025, 10, 4), False, calendar) == date(2025, 11, 3)
    assert rules.declaration_deadline(date(2025, 10, 2), False, calendar) == date(2025, 11, 3)  # Saturday → Monday
    assert rules.declaration_deadline(date(2025, 10, 7), False, calendar) == date(2025, 11, 7)  # Green March
    assert rules.declaration_deadline(date(2025, 3, 1), True, calendar) == date(2026, 3, 2)  # Sunday → Monday


def test_a_late_declaration_needs_a_court_judgment(calendar):
    born, late = date(2025, 10, 7), date(2025, 11, 10)
    with pytest.raises(ValidationError) as error:
        rules.check_late_declaration(ActKind.BIRTH, born, late, False, "", "", calendar)
    assert "late_judgment_number" in error.value.message_dict
    rules.check_late_declaration(ActKind.BIRTH, born, late, False, "1234/2025", "TPI Rabat", calendar)
    rules.check_late_declaration(ActKind.BIRTH, born, date(2025, 11, 7), False, "", "", calendar)


def test_the_father_declares_first_and_others_say_why(calendar):
    rules.check_birth_declarant(DeclarantRelation.FATHER, "")
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            rules.check_birth_declarant(DeclarantRelation.GRANDFATHER, "")
        assert "father, mother" in error.value.message_dict["declarant_precedence_reason"][0]
    rules.check_birth_declarant(DeclarantRelation.GRANDFATHER, "Father deceased, mother in hospital")
    with pytest.raises(ValidationError):
        rules.check_birth_declarant(DeclarantRelation.LOCAL_AUTHORITY, "reason")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": date(2030, 1, 1)}, "birth_date"),
        ({"declared_on": date(2019, 12, 31)}, "declared_on"),
        ({"mother_birth_date": date(2012, 6, 1)}, "mother_birth_date"),
        ({"father_birth_date": date(2020, 6, 1)}, "father_birth_date"),
    ],
)
def test_impossible_birth_dates_are_refused(changes, field):
    values = {
        "kind": ActKind.BIRTH,
        "birth_date": date(2020, 1, 1),
        "death_date": None,
        "declared_on": date(2020, 1, 5),
        "mother_birth_date": date(1990, 1, 1),
        "father_birth_date": None,
        "today": date(2025, 1, 1),
    }
    with pytest.raises(ValidationError) as error:
        rules.check_dates(**{**values, **changes})
    assert field in error.value.message_dict


def test_a_death_before_the_birth_is_refused():
    with pytest.raises(ValidationError) as error:
        rules.check_dates(
            kind=ActKind.DEATH,
            birth_date=date(1950, 1, 1),
            death_date=date(1949, 1, 1),
            declared_on=date(1949, 1, 2),
            mother_birth_date=None,
            father_birth_date=None,
        )
    assert "death_date" in error.value.message_dict


def test_a_mother_of_exactly_ten_is_accepted():
    rules.check_dates(
        kind=ActKind.BIRTH,
        birth_date=date(2020, 6, 1),
        death_date=None,
        declared_on=date(2020, 6, 2),
        mother_birth_date=date(2010, 6, 1),
        father_birth_date=None,
    )
