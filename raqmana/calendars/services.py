"""Writes to the calendars: Morocco's official Hijri month starts, and the holidays derived from them and from the
fixed dates."""

from datetime import date, timedelta
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from raqmana.kernel import reference_data

from .constants import FIXED_HOLIDAY_FIRST_YEAR, FIXED_NATIONAL_HOLIDAYS, RELIGIOUS_HOLIDAYS, HolidayKind
from .hijri import HijriDate, MoroccanHijriCalendar, shift_month
from .models import HijriMonthStart, Holiday

# Morocco's sighting and the Umm al-Qura tables differ by a day, rarely two: more is a typing error.
MAX_DAYS_FROM_UMM_AL_QURA = 2
HIJRI_MONTH_LENGTHS = (29, 30)
# A month's start moves its feasts (its first 13 days) and, through the 29-30 day rule, the computed starts of
# the months on either side of it: the holidays to recompute lie from a month before to 45 days after.
DAYS_MOVED_BEFORE, DAYS_MOVED_AFTER = timedelta(days=31), timedelta(days=45)


class RuleHoliday(NamedTuple):
    """A holiday as the rules give it; `hijri_date` is the day of the Hijri feast ("1446-10-01"), "" otherwise."""

    date: date
    name_ar: str
    name_fr: str
    kind: str
    hijri_date: str = ""


class HolidayChanges(NamedTuple):
    created: int
    removed: int


def holidays_of_year(year: int, hijri_calendar: MoroccanHijriCalendar) -> list[RuleHoliday]:
    """Morocco's public holidays falling in a Gregorian year, sorted by date."""
    found = [
        RuleHoliday(date(year, month, day), name_ar, name_fr, HolidayKind.NATIONAL)
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
                    feast_day = HijriDate(hijri_year, month, day + offset).iso
                    found.append(RuleHoliday(holiday, name_ar, name_fr, HolidayKind.RELIGIOUS, feast_day))
    return sorted(found)


@transaction.atomic
def load_holidays(first_year: int, last_year: int) -> HolidayChanges:
    """Bring the holidays of these years in line with the rules: create the missing ones, and move the derived
    religious ones to the days Morocco's Hijri calendar now gives (its month starts are recorded as the Ministry
    announces them). Rows added or edited by hand stay as they are, and the feast day a hand-edited row stands
    for is not added again. Returns how many rows were created and removed."""
    hijri_calendar = MoroccanHijriCalendar()
    edited = Holiday.objects.filter(derived=False).exclude(hijri_date="")
    kept_by_hand = set(edited.values_list("hijri_date", flat=True))
    wanted = [
        holiday
        for year in range(first_year, last_year + 1)
        for holiday in holidays_of_year(year, hijri_calendar)
        if holiday.hijri_date not in kept_by_hand
    ]
    wanted_religious = {holiday for holiday in wanted if holiday.kind == HolidayKind.RELIGIOUS}
    derived_religious = Holiday.objects.filter(
        kind=HolidayKind.RELIGIOUS, derived=True, date__year__gte=first_year, date__year__lte=last_year
    )
    stale = [
        row.pk
        for row in derived_religious
        if RuleHoliday(row.date, row.name_ar, row.name_fr, row.kind, row.hijri_date) not in wanted_religious
    ]
    Holiday.objects.filter(pk__in=stale).delete()
    taken = set(Holiday.objects.values_list("date", flat=True))
    created = {}
    for holiday in wanted:
        # Two holidays can fall on one day (a Hijri feast on a fixed holiday): the first named is kept.
        if holiday.date not in taken and holiday.date not in created:
            created[holiday.date] = Holiday(**holiday._asdict(), derived=True)
    Holiday.objects.bulk_create(created.values())
    reference_data.changed("calendars")  # a bulk creation sends no signal
    return HolidayChanges(created=len(created), removed=len(stale))


def save_holiday_by_hand(holiday: Holiday) -> Holiday:
    """A holiday an administrator added or edited: kept as written, never recomputed from the rules."""
    holiday.derived = False
    holiday.save()
    return holiday


def check_month_start(
    hijri_year: int, hijri_month: int, gregorian_start: date, *, replacing: int | None = None
) -> None:
    """An official start must be a sighting's: at most two days from Umm al-Qura's, and leaving this month and
    the one before 29 or 30 days long where their neighbours are recorded. `replacing`: the pk of the row being
    edited, whose former values do not count. Raises ValidationError."""
    month_name = HijriDate(hijri_year, hijri_month, 1).month_name
    try:
        umm_al_qura = MoroccanHijriCalendar(official_starts={}).month_start(hijri_year, hijri_month)
    except (ValueError, OverflowError):
        umm_al_qura = None  # outside the tables: only the neighbours can tell
    if umm_al_qura is not None and abs((gregorian_start - umm_al_qura).days) > MAX_DAYS_FROM_UMM_AL_QURA:
        raise ValidationError(
            {
                "gregorian_start": ValidationError(
                    _("Umm al-Qura begins %(month)s %(year)s on %(date)s: a sighting is a day or two from it."),
                    code="far_from_umm_al_qura",
                    params={"month": month_name, "year": hijri_year, "date": f"{umm_al_qura:%d/%m/%Y}"},
                )
            }
        )
    previous, following = shift_month(hijri_year, hijri_month, -1), shift_month(hijri_year, hijri_month, 1)
    neighbours = HijriMonthStart.objects.filter(
        Q(hijri_year=previous[0], hijri_month=previous[1]) | Q(hijri_year=following[0], hijri_month=following[1])
    )
    if replacing is not None:
        neighbours = neighbours.exclude(pk=replacing)
    recorded = {(row.hijri_year, row.hijri_month): row.gregorian_start for row in neighbours}
    lengths = []
    if previous in recorded:
        lengths.append((previous, (gregorian_start - recorded[previous]).days))
    if following in recorded:
        lengths.append(((hijri_year, hijri_month), (recorded[following] - gregorian_start).days))
    for (year, month), length in lengths:
        if length not in HIJRI_MONTH_LENGTHS:
            raise ValidationError(
                {
                    "gregorian_start": ValidationError(
                        _("%(month)s %(year)s would have %(length)s days: a Hijri month has 29 or 30."),
                        code="impossible_month_length",
                        params={"month": HijriDate(year, month, 1).month_name, "year": year, "length": length},
                    )
                }
            )


@transaction.atomic
def save_month_start(month_start: HijriMonthStart) -> HijriMonthStart:
    """Record or correct Morocco's start of a Hijri month, then recompute the religious holidays it moves."""
    check_month_start(
        month_start.hijri_year, month_start.hijri_month, month_start.gregorian_start, replacing=month_start.pk
    )
    former = HijriMonthStart.objects.filter(pk=month_start.pk).values_list("gregorian_start", flat=True).first()
    month_start.save()
    _recompute_holidays_around(month_start.gregorian_start, former)
    return month_start


def record_month_start(hijri_year: int, hijri_month: int, gregorian_start: date, source: str) -> HijriMonthStart:
    """Morocco's start of a Hijri month as the Ministry announced it, replacing the one recorded, if any."""
    month_start = HijriMonthStart.objects.filter(hijri_year=hijri_year, hijri_month=hijri_month).first()
    month_start = month_start or HijriMonthStart(hijri_year=hijri_year, hijri_month=hijri_month)
    month_start.gregorian_start, month_start.source = gregorian_start, source
    return save_month_start(month_start)


@transaction.atomic
def delete_month_start(month_start: HijriMonthStart) -> None:
    """Forget an official start (the month follows Umm al-Qura again) and recompute the holidays it moved."""
    month_start.delete()
    _recompute_holidays_around(month_start.gregorian_start)


def _recompute_holidays_around(*starts: date | None) -> None:
    known = [start for start in starts if start is not None]
    load_holidays((min(known) - DAYS_MOVED_BEFORE).year, (max(known) + DAYS_MOVED_AFTER).year)
