"""Working days and legal delays, shared by every module that counts a delay (civil status, permits, access
to information...): offices close on Saturdays, Sundays and the public holidays of the `Holiday` table."""

from collections.abc import Iterable
from datetime import date, timedelta

from raqmana.kernel import reference_data

WEEKEND = {5, 6}  # Saturday, Sunday (date.weekday())


class WorkingCalendar:
    """Working-day arithmetic over the holidays, read from the cache of the reference data until they change."""

    def __init__(self, holidays: Iterable[date] | None = None) -> None:
        if holidays is None:
            from .models import Holiday

            holidays = reference_data.cached(
                "calendars", "holiday_dates", lambda: frozenset(Holiday.objects.values_list("date", flat=True))
            )
        self.holidays = frozenset(holidays)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """`day` itself if offices open on it, else the first day after it on which they do."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def deadline(self, start: date, days: int) -> date:
        """The last day of a delay of `days` calendar days from `start`; one ending on a weekend or holiday
        runs to the next working day (Law 36-21 for declarations; the general rule for delays)."""
        return self.next_working_day(start + timedelta(days=days))

    def add_working_days(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (the day of the event itself does not count)."""
        day = start
        while days > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count
