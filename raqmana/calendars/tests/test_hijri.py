import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from raqmana.calendars.hijri import (
    HijriDate,
    MoroccanHijriCalendar,
    _arithmetic_from_ordinal,
    _arithmetic_ordinal,
    shift_month,
    typed_hijri_to_gregorian,
)
from raqmana.calendars.models import HijriMonthStart

pytestmark = pytest.mark.django_db

SHIPPED_STARTS = Path(__file__).resolve().parents[1] / "data" / "morocco-hijri-month-starts.json"


@pytest.fixture
def calendar():
    return MoroccanHijriCalendar()


def shipped_starts():
    rows = json.loads(SHIPPED_STARTS.read_text(encoding="utf-8"))["month_starts"]
    return {(row["hijri_year"], row["hijri_month"]): date.fromisoformat(row["gregorian_start"]) for row in rows}


def test_the_shipped_month_starts_are_those_of_a_sighting():
    """Every published month of 1444-1447 has 29 or 30 days and starts on Umm al-Qura's day or the day after;
    27 of the 43 starts fall a day after it."""
    starts = shipped_starts()
    umm_al_qura = MoroccanHijriCalendar(official_starts={})
    assert len(starts) == 43
    assert min(starts) == (1444, 1) and max(starts) == (1447, 7)
    for (year, month), start in starts.items():
        following = starts.get(shift_month(year, month, 1))
        if following is not None:
            assert (following - start).days in (29, 30), (year, month)
    days_after = Counter((start - umm_al_qura.month_start(*month)).days for month, start in starts.items())
    assert days_after == {1: 27, 0: 16}


def test_the_migration_records_every_shipped_start():
    recorded = {(row.hijri_year, row.hijri_month): row.gregorian_start for row in HijriMonthStart.objects.all()}
    assert recorded == shipped_starts()


def test_morocco_began_shawwal_1446_a_day_after_umm_al_qura(calendar):
    # Morocco: Ramadan 1446 from 2 March to 30 March (29 days), Shawwal from 31 March. Umm al-Qura: a day earlier.
    assert calendar.to_hijri(date(2025, 3, 1)) == HijriDate(1446, 8, 30)
    assert calendar.to_hijri(date(2025, 3, 2)) == HijriDate(1446, 9, 1)
    assert calendar.to_hijri(date(2025, 3, 30)) == HijriDate(1446, 9, 29)
    assert calendar.to_hijri(date(2025, 3, 31)) == HijriDate(1446, 10, 1)
    assert calendar.to_gregorian(1446, 10, 1) == date(2025, 3, 31)
    with pytest.raises(ValueError):
        calendar.to_gregorian(1446, 9, 30)


def test_without_an_official_start_umm_al_qura_decides_and_the_date_says_it_is_computed():
    calendar = MoroccanHijriCalendar(official_starts={})
    assert calendar.to_hijri(date(2025, 3, 30)) == HijriDate(1446, 10, 1, computed=True)
    assert calendar.to_gregorian(1446, 9, 29) == date(2025, 3, 29)


def test_a_date_says_whether_its_month_start_is_official(calendar):
    assert not calendar.to_hijri(date(2025, 3, 31)).computed  # Shawwal 1446: announced
    assert calendar.to_hijri(date(2000, 1, 1)).computed  # Ramadan 1420: no Moroccan record
    assert calendar.to_hijri(date(2026, 3, 1)).computed  # Ramadan 1447: past the published data
    assert not calendar.to_hijri(date(1915, 6, 1)).computed  # approximate instead, see below


def test_an_official_start_recorded_by_an_administrator_is_used():
    umm_al_qura = MoroccanHijriCalendar().to_gregorian(1447, 9, 1)
    moroccan = umm_al_qura + timedelta(days=1)
    HijriMonthStart.objects.create(hijri_year=1447, hijri_month=9, gregorian_start=moroccan, source="test")
    calendar = MoroccanHijriCalendar()
    assert calendar.to_hijri(umm_al_qura) == HijriDate(1447, 8, 30, computed=True)
    assert calendar.to_hijri(moroccan) == HijriDate(1447, 9, 1)
    assert calendar.to_gregorian(1447, 9, 1) == moroccan


def test_a_month_beside_an_official_one_keeps_29_or_30_days():
    # Morocco began Ramadan 1446 on 2 March; Umm al-Qura begins Shawwal on 30 March, which would leave Ramadan
    # 28 days while Morocco's Shawwal is not recorded: the computed Shawwal begins on 31 March.
    calendar = MoroccanHijriCalendar(official_starts={(1446, 9): date(2025, 3, 2)})
    assert calendar.month_length(1446, 9) == 29
    assert calendar.to_hijri(date(2025, 3, 30)) == HijriDate(1446, 9, 29)
    assert calendar.to_hijri(date(2025, 3, 31)) == HijriDate(1446, 10, 1, computed=True)
    # A start two days after Umm al-Qura's: the computed month before it is 30 days, not 31.
    calendar = MoroccanHijriCalendar(official_starts={(1446, 10): date(2025, 4, 1)})
    assert calendar.month_start(1446, 9) == date(2025, 3, 2)
    assert calendar.month_length(1446, 9) == 30


def test_round_trip_over_a_century(calendar):
    day = date(1925, 1, 1)
    while day < date(2077, 1, 1):
        hijri = calendar.to_hijri(day)
        assert calendar.to_gregorian(hijri.year, hijri.month, hijri.day) == day
        day = day.fromordinal(day.toordinal() + 97)


def test_round_trip_over_the_published_years(calendar):
    day = date(2022, 6, 1)
    while day < date(2026, 3, 1):
        hijri = calendar.to_hijri(day)
        assert calendar.to_gregorian(hijri.year, hijri.month, hijri.day) == day
        day += timedelta(days=1)


def test_dates_before_1924_use_the_arithmetic_calendar_and_say_so(calendar):
    hijri = calendar.to_hijri(date(1915, 6, 1))
    assert hijri.approximate
    assert (hijri.year, hijri.month) == (1333, 7)
    assert calendar.to_gregorian(hijri.year, hijri.month, hijri.day) == date(1915, 6, 1)
    assert not calendar.to_hijri(date(2000, 1, 1)).approximate


def test_arithmetic_calendar_known_dates():
    # 1 Muharram 1 AH = 19 July 622 (proleptic Gregorian); 1 Muharram 1300 AH ≈ 12 November 1882.
    assert date.fromordinal(_arithmetic_ordinal(1, 1, 1)) == date(622, 7, 19)
    assert date.fromordinal(_arithmetic_ordinal(1300, 1, 1)) == date(1882, 11, 12)
    for ordinal in range(date(1850, 1, 1).toordinal(), date(1925, 1, 1).toordinal(), 13):
        assert _arithmetic_ordinal(*_arithmetic_from_ordinal(ordinal)) == ordinal


def test_impossible_hijri_days_are_refused(calendar):
    for impossible in [(1446, 13, 1), (1446, 1, 31), (1446, 0, 1), (1446, 1, 0), (1333, 2, 30)]:
        with pytest.raises(ValueError):
            calendar.to_gregorian(*impossible)


def test_month_names():
    assert HijriDate(1446, 10, 1).month_name_ar == "شوال"
    with translation.override("fr"):
        assert HijriDate(1446, 10, 1).text == "1 Chawwal 1446 H"
    with translation.override("ar"):
        assert HijriDate(1446, 10, 1).text == "1 شوال 1446 هـ"


def test_a_typed_hijri_date_round_trips_through_its_iso_text():
    assert HijriDate.from_iso("1350-09-12") == HijriDate(1350, 9, 12)
    assert HijriDate(1350, 9, 12).iso == "1350-09-12"
    assert HijriDate.from_iso(HijriDate(1446, 10, 1).iso) == HijriDate(1446, 10, 1)
    for malformed in ["1350-9-12", "12/09/1350", "", "1350-09-12x"]:
        with pytest.raises(ValueError):
            HijriDate.from_iso(malformed)


def test_a_typed_hijri_date_is_converted_with_morocco_s_month_lengths(calendar):
    assert typed_hijri_to_gregorian(1446, 10, 1, calendar) == date(2025, 3, 31)
    # Ramadan 1444 had 30 days in Morocco, 29 by Umm al-Qura.
    assert typed_hijri_to_gregorian(1444, 9, 30, calendar) == date(2023, 4, 21)
    # Old registers: Umm al-Qura from 1343 AH (1924), the arithmetic calendar before.
    assert typed_hijri_to_gregorian(1350, 9, 12) == date(1932, 1, 20)
    assert typed_hijri_to_gregorian(1333, 7, 18) == date(1915, 6, 1)


def test_a_typed_day_the_month_does_not_have_is_refused_not_carried_over(calendar):
    # Shawwal 1446 had 29 days in Morocco (30 by Umm al-Qura): its 30th is not 1 Dhu al-Qiida.
    with translation.override("en"), pytest.raises(ValidationError) as error:
        typed_hijri_to_gregorian(1446, 10, 30, calendar)
    assert error.value.code == "hijri_day_not_in_month"
    assert error.value.messages == ["Chawwal 1446 has 29 days: day 30 does not exist."]
    with pytest.raises(ValidationError) as error:
        typed_hijri_to_gregorian(1446, 9, 30, calendar)
    assert error.value.code == "hijri_day_not_in_month"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ((1299, 1, 1), "hijri_year_out_of_range"),
        ((1501, 1, 1), "hijri_year_out_of_range"),
        ((1446, 0, 1), "hijri_month_out_of_range"),
        ((1446, 13, 1), "hijri_month_out_of_range"),
        ((1446, 1, 0), "hijri_day_out_of_range"),
        ((1446, 1, 31), "hijri_day_out_of_range"),
    ],
)
def test_impossible_typed_hijri_dates_are_refused_with_a_reason(typed, code):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        typed_hijri_to_gregorian(*typed)
    assert error.value.code == code
    assert error.value.messages[0].endswith(".")
