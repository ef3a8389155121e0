"""Gregorian ↔ Hijri as Morocco counts it.

Within 1924-2077 the Umm al-Qura tables (hijridate) give each month's first day, replaced by Morocco's official
start wherever the editable table `HijriMonthStart` has one (Morocco's sighting can be a day later). Outside that
range hijridate has no data, so the arithmetic (tabular) Islamic calendar is used and the result is marked
approximate: written by hand because no maintained library offers it for these dates.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil, floor

from hijridate import Gregorian, Hijri

from .constants import HIJRI_MONTHS_AR, HIJRI_MONTHS_LATIN

UMM_AL_QURA_RANGE = (date(1924, 8, 1), date(2077, 11, 16))
# 1 Muharram 1 AH in the arithmetic calendar's civil epoch: 16 July 622 Julian, 19 July 622 proleptic Gregorian.
ARITHMETIC_EPOCH = date(622, 7, 19).toordinal()


@dataclass(frozen=True)
class HijriDate:
    year: int
    month: int
    day: int
    approximate: bool = False

    def __str__(self):
        return f"{self.day:02d}/{self.month:02d}/{self.year}"

    @property
    def month_name_ar(self):
        return HIJRI_MONTHS_AR[self.month - 1]

    @property
    def month_name_latin(self):
        return HIJRI_MONTHS_LATIN[self.month - 1]

    @property
    def text_ar(self):
        """As Arabic documents write it: "12 جمادى الآخرة 1448 هـ"."""
        return f"{self.day} {self.month_name_ar} {self.year} هـ"

    @property
    def text_latin(self):
        return f"{self.day} {self.month_name_latin} {self.year} H"


def _arithmetic_ordinal(year, month, day):
    return ARITHMETIC_EPOCH - 1 + day + ceil(29.5 * (month - 1)) + 354 * (year - 1) + floor((3 + 11 * year) / 30)


def _arithmetic_from_ordinal(ordinal):
    year = floor((30 * (ordinal - ARITHMETIC_EPOCH) + 10646) / 10631)
    month = min(12, ceil((ordinal - (29 + _arithmetic_ordinal(year, 1, 1))) / 29.5) + 1)
    day = ordinal - _arithmetic_ordinal(year, month, 1) + 1
    return year, month, day


def _in_umm_al_qura_range(day):
    return UMM_AL_QURA_RANGE[0] <= day <= UMM_AL_QURA_RANGE[1]


def _shift(year, month, months):
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


class MoroccanHijriCalendar:
    """Conversions with one set of official month starts, read once (build a new one after editing them)."""

    def __init__(self, official_starts=None):
        if official_starts is None:
            from .models import HijriMonthStart

            official_starts = {
                (start.hijri_year, start.hijri_month): start.gregorian_start for start in HijriMonthStart.objects.all()
            }
        self.official_starts = official_starts

    def month_start(self, year, month):
        """The Gregorian first day of a Hijri month: Morocco's official one if recorded, else Umm al-Qura's."""
        if (year, month) in self.official_starts:
            return self.official_starts[(year, month)]
        return date(*Hijri(year, month, 1).to_gregorian().datetuple())

    def to_hijri(self, day):
        if not _in_umm_al_qura_range(day):
            return HijriDate(*_arithmetic_from_ordinal(day.toordinal()), approximate=True)
        reference = Gregorian(day.year, day.month, day.day).to_hijri()
        # Morocco's start of a month differs from Umm al-Qura's by a day or two: the month that holds `day` is
        # the one around Umm al-Qura's answer whose (corrected) first day is the latest on or before `day`.
        candidates = []
        for months in (-1, 0, 1):
            year, month = _shift(reference.year, reference.month, months)
            try:
                start = self.month_start(year, month)
            except (ValueError, OverflowError):
                continue
            if start <= day:
                candidates.append((start, year, month))
        start, year, month = max(candidates)
        return HijriDate(year, month, (day - start).days + 1)

    def to_gregorian(self, year, month, day):
        """The Gregorian date of a Hijri day; raises ValueError for a day the month does not have."""
        if not 1 <= month <= 12 or not 1 <= day <= 30:
            raise ValueError("no such Hijri day")
        try:
            start = self.month_start(year, month)
            next_year, next_month = _shift(year, month, 1)
            length = (self.month_start(next_year, next_month) - start).days
        except (ValueError, OverflowError):
            ordinal = _arithmetic_ordinal(year, month, day)
            if _arithmetic_from_ordinal(ordinal) != (year, month, day):
                raise ValueError("no such Hijri day") from None
            return date.fromordinal(ordinal)
        if day > length:
            raise ValueError("no such Hijri day")
        return start + timedelta(days=day - 1)


def to_hijri(day):
    return MoroccanHijriCalendar().to_hijri(day)
