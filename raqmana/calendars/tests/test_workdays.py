from datetime import date

import pytest
from django.core.management import call_command

from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.calendars.models import Holiday
from raqmana.calendars.services import holidays_of_year, load_holidays
from raqmana.calendars.workdays import WorkingCalendar

pytestmark = pytest.mark.django_db


def test_2025_holidays_follow_the_fixed_dates_and_moroccan_hijri_feasts():
    holidays = {day: name for day, _name_ar, name, _kind in holidays_of_year(2025, MoroccanHijriCalendar())}
    assert holidays[date(2025, 1, 14)] == "Nouvel an amazigh"
    assert holidays[date(2025, 7, 30)] == "Fête du trône"
    # Eid al-Fitr 1446 on 31 March and 1 April in Morocco, a day after Umm al-Qura.
    assert holidays[date(2025, 3, 31)] == holidays[date(2025, 4, 1)] == "Aïd al-Fitr"
    assert date(2025, 3, 30) not in holidays
    assert len([name for name in holidays.values() if name == "Aïd al-Adha"]) == 2


def test_the_amazigh_new_year_is_a_holiday_from_2024():
    assert date(2023, 1, 14) not in {day for day, *_ in holidays_of_year(2023, MoroccanHijriCalendar())}


def test_loading_is_idempotent_and_keeps_edits():
    created = load_holidays(2025, 2026)
    assert created >= 2 * 16
    Holiday.objects.filter(date=date(2025, 7, 30)).update(name_fr="Fête du Trône (edited)")
    assert load_holidays(2025, 2026) == 0
    assert Holiday.objects.get(date=date(2025, 7, 30)).name_fr == "Fête du Trône (edited)"
    call_command("load_holidays", "--from", "2025", "--to", "2025")


@pytest.fixture
def calendar():
    load_holidays(2025, 2025)
    return WorkingCalendar()


def test_weekends_and_holidays_are_not_working_days(calendar):
    assert calendar.is_working_day(date(2025, 11, 25))  # a Tuesday
    assert not calendar.is_working_day(date(2025, 11, 22))  # Saturday
    assert not calendar.is_working_day(date(2025, 11, 18))  # Independence Day


def test_a_delay_ending_on_a_weekend_runs_to_monday(calendar):
    # Born 2025-10-04: day 30 is Monday 3 November, a working day.
    assert calendar.deadline(date(2025, 10, 4), 30) == date(2025, 11, 3)
    # Born 2025-10-02: day 30 is Saturday 1 November → Monday 3 November.
    assert calendar.deadline(date(2025, 10, 2), 30) == date(2025, 11, 3)


def test_a_delay_ending_on_a_holiday_runs_to_the_next_working_day(calendar):
    # Born 2025-10-07: day 30 is Thursday 6 November, the Green March → Friday 7 November.
    assert calendar.deadline(date(2025, 10, 7), 30) == date(2025, 11, 7)
    # Born 2025-10-19: day 30 is Tuesday 18 November, Independence Day → Wednesday 19 November.
    assert calendar.deadline(date(2025, 10, 19), 30) == date(2025, 11, 19)


def test_working_days_skip_weekends_and_holidays(calendar):
    # Friday 14 November 2025 + 3 working days: Mon 17, (Tue 18 holiday), Wed 19, Thu 20.
    assert calendar.add_working_days(date(2025, 11, 14), 3) == date(2025, 11, 20)
    assert calendar.working_days_between(date(2025, 11, 14), date(2025, 11, 20)) == 3
    assert calendar.add_working_days(date(2025, 11, 14), 0) == date(2025, 11, 14)
