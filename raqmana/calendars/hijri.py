"""Gregorian ↔ Hijri as Morocco counts it.

Within 1924-2077 the Umm al-Qura tables (hijridate) give each month's first day, replaced by Morocco's official
start wherever the editable table `HijriMonthStart` has one (Morocco's sighting can be a day later); a date in a
month with no official start is marked computed. Outside that range hijridate has no data, so the arithmetic
(tabular) Islamic calendar is used and the result is marked approximate: written by hand because no maintained
library offers it for these dates.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil, floor
from typing import Self

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from hijridate import Gregorian, Hijri

from raqmana.kernel import reference_data

from .constants import HIJRI_MONTHS_AR, HIJRI_MONTHS_LATIN

UMM_AL_QURA_RANGE = (date(1924, 8, 1), date(2077, 11, 16))
# 1 Muharram 1 AH in the arithmetic calendar's civil epoch: 16 July 622 Julian, 19 July 622 proleptic Gregorian.
ARITHMETIC_EPOCH = date(622, 7, 19).toordinal()
# The Hijri years a register can carry: from 1882, well before the first acts (1915), to the tables' end.
TYPED_HIJRI_YEARS = (1300, 1500)
ISO_FORMAT = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
APPROXIMATE, COMPUTED = gettext_lazy("approximate"), gettext_lazy("computed")


@dataclass(frozen=True)
class HijriDate:
    """A Hijri day. `computed`: its month's start is Umm al-Qura's, Morocco's official one is not recorded.
    `approximate`: outside the Umm al-Qura tables, from the arithmetic calendar."""

    year: int
    month: int
    day: int
    approximate: bool = False
    computed: bool = False

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}/{self.year}"

    @classmethod
    def from_iso(cls, text: str) -> Self:
        """A Hijri date as stored when typed, "1350-09-12"; raises ValueError for another form."""
        match = ISO_FORMAT.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a Hijri date in the form YYYY-MM-DD: {text!r}")
        year, month, day = (int(part) for part in match.groups())
        return cls(year, month, day)

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def month_name_ar(self) -> str:
        return HIJRI_MONTHS_AR[self.month - 1]

    @property
    def month_name_latin(self) -> str:
        return HIJRI_MONTHS_LATIN[self.month - 1]

    @property
    def month_name(self) -> str:
        """The month's name in the active language: Arabic, else in Latin letters."""
        return self.month_name_ar if _arabic_active() else self.month_name_latin

    @property
    def text_ar(self) -> str:
        """As Arabic documents write it: "12 جمادى الآخرة 1448 هـ"."""
        return f"{self.day} {self.month_name_ar} {self.year} هـ"

    @property
    def text_latin(self) -> str:
        return f"{self.day} {self.month_name_latin} {self.year} H"

    @property
    def text(self) -> str:
        """As the active language writes it."""
        return self.text_ar if _arabic_active() else self.text_latin

    @property
    def mark(self) -> Promise | None:
        """What a converted date says of itself: approximate before 1924, computed in a month whose official
        start is not recorded; None otherwise."""
        return APPROXIMATE if self.approximate else COMPUTED if self.computed else None

    @property
    def marked_text(self) -> str:
        """`text` with its mark, in the active language."""
        return f"{self.text} ({self.mark})" if self.mark else self.text

    @property
    def marked_text_ar(self) -> str:
        """`text_ar` with its mark in Arabic, as certified documents print it whatever the page's language."""
        with translation.override("ar"):
            return f"{self.text_ar} ({self.mark})" if self.mark else self.text_ar


def _arabic_active() -> bool:
    return (get_language() or "ar").startswith("ar")


def _arithmetic_ordinal(year: int, month: int, day: int) -> int:
    return ARITHMETIC_EPOCH - 1 + day + ceil(29.5 * (month - 1)) + 354 * (year - 1) + floor((3 + 11 * year) / 30)


def _arithmetic_from_ordinal(ordinal: int) -> tuple[int, int, int]:
    year = floor((30 * (ordinal - ARITHMETIC_EPOCH) + 10646) / 10631)
    month = min(12, ceil((ordinal - (29 + _arithmetic_ordinal(year, 1, 1))) / 29.5) + 1)
    day = ordinal - _arithmetic_ordinal(year, month, 1) + 1
    return year, month, day


def _in_umm_al_qura_range(day: date) -> bool:
    return UMM_AL_QURA_RANGE[0] <= day <= UMM_AL_QURA_RANGE[1]


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    """The (year, month) `months` Hijri months after (or before) this one."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


class MoroccanHijriCalendar:
    """Conversions with one set of official month starts, read from the cache of the reference data until they
    change (build a new one after editing them)."""

    def __init__(self, official_starts: dict[tuple[int, int], date] | None = None) -> None:
        if official_starts is None:
            from .models import HijriMonthStart

            def read() -> dict[tuple[int, int], date]:
                rows = HijriMonthStart.objects.values_list("hijri_year", "hijri_month", "gregorian_start")
                return {(year, month): start for year, month, start in rows}

            official_starts = reference_data.cached("calendars", "official_month_starts", read)
        self.official_starts = official_starts

    def month_start(self, year: int, month: int) -> date:
        """The Gregorian first day of a Hijri month: Morocco's official one if recorded, else Umm al-Qura's,
        moved by a day where needed so that a month beside a recorded one keeps 29 or 30 days (Umm al-Qura's
        start of the month after Morocco's latest announcement can otherwise make that month 28 days long)."""
        if (year, month) in self.official_starts:
            return self.official_starts[(year, month)]
        start = date(*Hijri(year, month, 1).to_gregorian().datetuple())
        previous = self.official_starts.get(shift_month(year, month, -1))
        if previous is not None:
            start = min(max(start, previous + timedelta(days=29)), previous + timedelta(days=30))
        following = self.official_starts.get(shift_month(year, month, 1))
        if following is not None:
            start = min(max(start, following - timedelta(days=30)), following - timedelta(days=29))
        return start

    def _month(self, year: int, month: int) -> tuple[date, int]:
        """(first day, number of days) of a Hijri month; outside the tables, of the arithmetic calendar's."""
        try:
            start = self.month_start(year, month)
            return start, (self.month_start(*shift_month(year, month, 1)) - start).days
        except (ValueError, OverflowError):
            first = _arithmetic_ordinal(year, month, 1)
            return date.fromordinal(first), _arithmetic_ordinal(*shift_month(year, month, 1), 1) - first

    def month_length(self, year: int, month: int) -> int:
        """29 or 30: the days of a Hijri month as the calendar in force counts them."""
        return self._month(year, month)[1]

    def to_hijri(self, day: date) -> HijriDate:
        if not _in_umm_al_qura_range(day):
            return HijriDate(*_arithmetic_from_ordinal(day.toordinal()), approximate=True)
        reference = Gregorian(day.year, day.month, day.day).to_hijri()
        # Morocco's start of a month differs from Umm al-Qura's by a day or two: the month that holds `day` is
        # the one around Umm al-Qura's answer whose (corrected) first day is the latest on or before `day`.
        candidates = []
        for months in (-1, 0, 1):
            year, month = shift_month(reference.year, reference.month, months)
            try:
                start = self.month_start(year, month)
            except (ValueError, OverflowError):
                continue
            if start <= day:
                candidates.append((start, year, month))
        start, year, month = max(candidates)
        computed = (year, month) not in self.official_starts
        return HijriDate(year, month, (day - start).days + 1, computed=computed)

    def to_gregorian(self, year: int, month: int, day: int) -> date:
        """The Gregorian date of a Hijri day; raises ValueError for a day the month does not have."""
        if not 1 <= month <= 12:
            raise ValueError("no such Hijri day")
        start, length = self._month(year, month)
        if not 1 <= day <= length:
            raise ValueError("no such Hijri day")
        return start + timedelta(days=day - 1)


def to_hijri(day: date) -> HijriDate:
    return MoroccanHijriCalendar().to_hijri(day)


def typed_hijri_to_gregorian(year: int, month: int, day: int, calendar: MoroccanHijriCalendar | None = None) -> date:
    """The Gregorian equivalent of a Hijri date typed from a register. A day its month does not have (the 30th
    of a 29-day month) is refused, never carried into the next month: the register or the typing is wrong."""
    first_year, last_year = TYPED_HIJRI_YEARS
    if not first_year <= year <= last_year:
        raise ValidationError(
            _("The Hijri year %(year)s is outside the years a register can carry (%(first)s-%(last)s)."),
            code="hijri_year_out_of_range",
            params={"year": year, "first": first_year, "last": last_year},
        )
    if not 1 <= month <= 12:
        raise ValidationError(
            _("There is no Hijri month %(month)s: months run from 1 to 12."),
            code="hijri_month_out_of_range",
            params={"month": month},
        )
    if not 1 <= day <= 30:
        raise ValidationError(
            _("There is no day %(day)s in a Hijri month: days run from 1 to 30."),
            code="hijri_day_out_of_range",
            params={"day": day},
        )
    calendar = calendar or MoroccanHijriCalendar()
    length = calendar.month_length(year, month)
    if day > length:
        params = {"month": HijriDate(year, month, 1).month_name, "year": year, "length": length, "day": day}
        official = (year, month) in calendar.official_starts and shift_month(year, month, 1) in calendar.official_starts
        if official:
            message = _("%(month)s %(year)s has %(length)s days: day %(day)s does not exist.")
        else:
            # Without Morocco's record the length is the tables': say how an old register's 30th gets accepted.
            message = _(
                "%(month)s %(year)s has %(length)s days in the calculated calendar: day %(day)s does not exist. If "
                "the register was right, an administrator records Morocco's official start of the next month."
            )
        raise ValidationError(message, code="hijri_day_not_in_month", params=params)
    return calendar.to_gregorian(year, month, day)


def gregorian_of_typed_hijri(text: str, calendar: MoroccanHijriCalendar | None = None) -> date:
    """`typed_hijri_to_gregorian` for a Hijri date kept as typed, "1350-09-12"."""
    try:
        hijri = HijriDate.from_iso(text)
    except ValueError:
        raise ValidationError(_("Give the Hijri date as year, month and day."), code="hijri_format") from None
    return typed_hijri_to_gregorian(hijri.year, hijri.month, hijri.day, calendar)
