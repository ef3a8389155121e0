import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from raqmana.calendars.constants import HolidayKind
from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.calendars.models import Holiday
from raqmana.calendars.services import holidays_of_year, load_holidays
from raqmana.calendars.workdays import WorkingCalendar

pytestmark = pytest.mark.django_db


def test_2025_holidays_follow_the_fixed_dates_and_moroccan_hijri_feasts():
    holidays = {holiday.date: holiday for holiday in holidays_of_year(2025, MoroccanHijriCalendar())}
    assert holidays[date(2025, 1, 14)].name_fr == "Nouvel an amazigh"
    assert holidays[date(2025, 7, 30)].name_fr == "Fête du trône"
    # Morocco's dates, each a day after Umm al-Qura's: Eid al-Fitr 1446 on 31 March and 1 April, Eid al-Adha on
    # 7 and 8 June, 1 Muharram 1447 on 27 June, the Mawlid 1447 on 5 and 6 September.
    for day in [date(2025, 3, 31), date(2025, 4, 1)]:
        assert holidays[day].name_fr == "Aïd al-Fitr"
    for day in [date(2025, 6, 7), date(2025, 6, 8)]:
        assert holidays[day].name_fr == "Aïd al-Adha"
    assert holidays[date(2025, 6, 27)].name_fr == "Nouvel an de l'Hégire"
    assert holidays[date(2025, 9, 5)].name_fr == holidays[date(2025, 9, 6)].name_fr == "Aïd al-Mawlid"
    for umm_al_qura_day in [date(2025, 3, 30), date(2025, 6, 6), date(2025, 6, 26), date(2025, 9, 4)]:
        assert umm_al_qura_day not in holidays
    assert holidays[date(2025, 3, 31)].hijri_date == "1446-10-01"
    assert holidays[date(2025, 4, 1)].hijri_date == "1446-10-02"
    assert holidays[date(2025, 7, 30)].hijri_date == ""


def test_the_amazigh_new_year_is_a_holiday_from_2024():
    assert date(2023, 1, 14) not in {holiday.date for holiday in holidays_of_year(2023, MoroccanHijriCalendar())}


def test_loading_is_idempotent_and_keeps_edits():
    created, removed = load_holidays(2025, 2026)
    assert created >= 2 * 16 and removed == 0
    assert not Holiday.objects.filter(derived=False).exists()
    Holiday.objects.filter(date=date(2025, 7, 30)).update(name_fr="Fête du Trône (edited)")
    assert load_holidays(2025, 2026) == (0, 0)
    assert Holiday.objects.get(date=date(2025, 7, 30)).name_fr == "Fête du Trône (edited)"
    call_command("load_holidays", "--from", "2025", "--to", "2025")


def test_loading_moves_feasts_made_on_umm_al_qura_dates_and_keeps_hand_made_rows():
    # As an earlier version loaded them: Eid al-Fitr 1446 on Umm al-Qura's 30 and 31 March.
    for day in [date(2025, 3, 30), date(2025, 3, 31)]:
        Holiday.objects.create(
            date=day, name_ar="عيد الفطر", name_fr="Aïd al-Fitr", kind=HolidayKind.RELIGIOUS, derived=True
        )
    exceptional = Holiday.objects.create(
        date=date(2025, 4, 2), name_ar="عطلة استثنائية", name_fr="Jour férié exceptionnel", kind=HolidayKind.EXCEPTIONAL
    )
    hand_made_feast = Holiday.objects.create(
        date=date(2025, 12, 31), name_ar="عيد", name_fr="Fête ajoutée à la main", kind=HolidayKind.RELIGIOUS
    )
    assert load_holidays(2025, 2025).removed == 2
    fitr = Holiday.objects.filter(name_fr="Aïd al-Fitr").values_list("date", "hijri_date", "derived")
    assert list(fitr) == [(date(2025, 3, 31), "1446-10-01", True), (date(2025, 4, 1), "1446-10-02", True)]
    assert Holiday.objects.filter(pk__in=[exceptional.pk, hand_made_feast.pk]).count() == 2


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


def test_a_delay_crossing_eid_al_fitr_follows_morocco_s_dates(calendar):
    # Born Saturday 1 March 2025: day 30 is Monday 31 March, Eid al-Fitr in Morocco (with Tuesday 1 April) →
    # Wednesday 2 April. By Umm al-Qura's Eid (30-31 March) it would have been Tuesday 1 April.
    assert calendar.deadline(date(2025, 3, 1), 30) == date(2025, 4, 2)
    # Friday 28 March + 1 working day: Monday and Tuesday are Eid → Wednesday 2 April.
    assert calendar.add_working_days(date(2025, 3, 28), 1) == date(2025, 4, 2)
    assert calendar.working_days_between(date(2025, 3, 28), date(2025, 4, 4)) == 3


def test_working_days_skip_weekends_and_holidays(calendar):
    # Friday 14 November 2025 + 3 working days: Mon 17, (Tue 18 holiday), Wed 19, Thu 20.
    assert calendar.add_working_days(date(2025, 11, 14), 3) == date(2025, 11, 20)
    assert calendar.working_days_between(date(2025, 11, 14), date(2025, 11, 20)) == 3
    assert calendar.add_working_days(date(2025, 11, 14), 0) == date(2025, 11, 14)


def test_the_rows_loaded_before_the_derived_flag_are_told_apart_by_their_names():
    migration = importlib.import_module("raqmana.calendars.migrations.0004_holiday_derived")
    fitr = Holiday.objects.create(
        date=date(2025, 3, 30), name_ar="عيد الفطر", name_fr="Aïd al-Fitr", kind=HolidayKind.RELIGIOUS
    )
    added = Holiday.objects.create(
        date=date(2025, 4, 2), name_ar="عطلة", name_fr="Jour férié exceptionnel", kind=HolidayKind.EXCEPTIONAL
    )
    migration.mark_rule_made_rows(django_apps, None)
    assert Holiday.objects.get(pk=fitr.pk).derived
    assert not Holiday.objects.get(pk=added.pk).derived
