"""The holidays and Morocco's month starts are reference data: read from the cache until they change, whatever
changes them (the admin's save, load_holidays, a month start recorded), never left stale by a rollback."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache, caches
from django.db import transaction

from raqmana.calendars.constants import HolidayKind
from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.calendars.models import Holiday
from raqmana.calendars.services import load_holidays, record_month_start, save_holiday_by_hand
from raqmana.calendars.workdays import WorkingCalendar
from raqmana.kernel import reference_data

pytestmark = pytest.mark.django_db

A_TUESDAY = date(2027, 6, 15)


def a_holiday_on(day):
    return Holiday(date=day, name_ar="عطلة", name_fr="Congé", kind=HolidayKind.NATIONAL)


def test_once_read_the_calendars_cost_no_query(django_assert_num_queries):
    WorkingCalendar(), MoroccanHijriCalendar()
    with django_assert_num_queries(0):
        assert WorkingCalendar().is_working_day(A_TUESDAY)
        MoroccanHijriCalendar().to_hijri(A_TUESDAY)


def test_a_holiday_saved_by_hand_holds_at_once(django_capture_on_commit_callbacks):
    assert WorkingCalendar().is_working_day(A_TUESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        save_holiday_by_hand(a_holiday_on(A_TUESDAY))
    assert not WorkingCalendar().is_working_day(A_TUESDAY)


def test_a_holiday_deleted_holds_at_once(django_capture_on_commit_callbacks):
    holiday = save_holiday_by_hand(a_holiday_on(A_TUESDAY))
    assert not WorkingCalendar().is_working_day(A_TUESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        holiday.delete()
    assert WorkingCalendar().is_working_day(A_TUESDAY)


def test_load_holidays_holds_at_once(django_capture_on_commit_callbacks):
    throne_day = date(2027, 7, 30)  # Fête du Trône, a Friday
    assert WorkingCalendar().is_working_day(throne_day)
    with django_capture_on_commit_callbacks(execute=True):
        load_holidays(2027, 2027)
    assert not WorkingCalendar().is_working_day(throne_day)


def test_a_month_start_recorded_holds_at_once_for_the_hijri_calendar(django_capture_on_commit_callbacks):
    sighted = MoroccanHijriCalendar().month_start(1448, 9) + timedelta(days=1)  # Morocco a day after Umm al-Qura
    with django_capture_on_commit_callbacks(execute=True):
        record_month_start(1448, 9, sighted, "Ministry of Habous and Islamic Affairs")
    assert MoroccanHijriCalendar().month_start(1448, 9) == sighted


def test_a_change_rolled_back_leaves_nothing_cached_of_it():
    assert WorkingCalendar().is_working_day(A_TUESDAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        Holiday.objects.create(date=A_TUESDAY, name_ar="عطلة", name_fr="Congé", kind=HolidayKind.NATIONAL)
        assert not WorkingCalendar().is_working_day(A_TUESDAY)  # read inside the change: not kept
        raise RuntimeError("rolled back")
    # No new version comes with a rollback: what the version drawn by the change holds must not be the change.
    key = f"reference:calendars:{reference_data.version('calendars')}:holiday_dates"
    assert A_TUESDAY not in (cache.get(key) or ()) and A_TUESDAY not in (caches["local"].get(key) or ())
    assert WorkingCalendar().is_working_day(A_TUESDAY)
