"""Writes to the calendars: the holidays of a range of years, from the fixed and the Hijri rules."""

from datetime import date, timedelta

from django.db import transaction

from .constants import FIXED_HOLIDAY_FIRST_YEAR, FIXED_NATIONAL_HOLIDAYS, RELIGIOUS_HOLIDAYS, HolidayKind
from .hijri import MoroccanHijriCalendar
from .models import Holiday


def holidays_of_year(year, hijri_calendar):
    """Morocco's public holidays falling in a Gregorian year: (date, Arabic name, French name, kind)."""
    found = [
        (date(year, month, day), name_ar, name_fr, HolidayKind.NATIONAL)
        for month, day, name_ar, name_fr in FIXED_NATIONAL_HOLIDAYS
        if year >= FIXED_HOLIDAY_FIRST_YEAR.get((month, day), 0)
    ]
    first_hijri_year = hijri_calendar.to_hijri(date(year, 1, 1)).year
    for hijri_year in (first_hijri_year, first_hijri_year + 1):
        for month, day, length, name_ar, name_fr in RELIGIOUS_HOLIDAYS:
            first = hijri_calendar.to_gregorian(hijri_year, month, day)
            for offset in range(length):
                holiday = first + timedelta(days=offset)
                if holiday.year == year:
                    found.append((holiday, name_ar, name_fr, HolidayKind.RELIGIOUS))
    return sorted(found)


@transaction.atomic
def load_holidays(first_year, last_year):
    """Create the holidays of these years that are missing; dates already in the table (edited, or added by
    hand such as an exceptional day off) are left as they are. Returns how many were created."""
    hijri_calendar = MoroccanHijriCalendar()
    existing = set(Holiday.objects.values_list("date", flat=True))
    created = [
        Holiday(date=day, name_ar=name_ar, name_fr=name_fr, kind=kind)
        for year in range(first_year, last_year + 1)
        for day, name_ar, name_fr, kind in holidays_of_year(year, hijri_calendar)
        if day not in existing
    ]
    # Two holidays can fall on one day (a Hijri feast on a fixed holiday): the first named is kept.
    unique = {holiday.date: holiday for holiday in reversed(created)}
    Holiday.objects.bulk_create(unique.values())
    return len(unique)
