from datetime import date, timedelta

import pytest

from raqmana.calendars.hijri import HijriDate, MoroccanHijriCalendar, _arithmetic_from_ordinal, _arithmetic_ordinal

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar():
    return MoroccanHijriCalendar()


def test_morocco_began_shawwal_1446_a_day_after_umm_al_qura(calendar):
    assert calendar.to_hijri(date(2025, 3, 30)) == HijriDate(1446, 9, 30)
    assert calendar.to_hijri(date(2025, 3, 31)) == HijriDate(1446, 10, 1)
    assert calendar.to_hijri(date(2025, 4, 1)) == HijriDate(1446, 10, 2)
    assert calendar.to_gregorian(1446, 10, 1) == date(2025, 3, 31)
    assert calendar.to_gregorian(1446, 9, 30) == date(2025, 3, 30)


def test_without_an_official_start_umm_al_qura_decides():
    calendar = MoroccanHijriCalendar(official_starts={})
    assert calendar.to_hijri(date(2025, 3, 30)) == HijriDate(1446, 10, 1)
    with pytest.raises(ValueError):
        calendar.to_gregorian(1446, 9, 30)  # Ramadan 1446 had 29 days by Umm al-Qura


def test_an_official_start_recorded_by_an_administrator_is_used():
    from raqmana.calendars.models import HijriMonthStart

    umm_al_qura = MoroccanHijriCalendar().to_gregorian(1447, 9, 1)
    moroccan = umm_al_qura + timedelta(days=1)
    HijriMonthStart.objects.create(hijri_year=1447, hijri_month=9, gregorian_start=moroccan, source="test")
    calendar = MoroccanHijriCalendar()
    assert calendar.to_hijri(umm_al_qura) == HijriDate(1447, 8, 30)
    assert calendar.to_gregorian(1447, 9, 1) == moroccan


def test_round_trip_over_a_century(calendar):
    day = date(1925, 1, 1)
    while day < date(2077, 1, 1):
        hijri = calendar.to_hijri(day)
        assert calendar.to_gregorian(hijri.year, hijri.month, hijri.day) == day
        day = day.fromordinal(day.toordinal() + 97)


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
    for impossible in [(1446, 13, 1), (1446, 1, 31), (1446, 0, 1)]:
        with pytest.raises(ValueError):
            calendar.to_gregorian(*impossible)


def test_month_names():
    assert HijriDate(1446, 10, 1).month_name_ar == "شوال"
