"""A clock's delay: in working days it skips weekends and holidays (calendars), in calendar days it does not; what is
left when it pauses counts the working days not yet begun."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from raqmana.calendars.models import Holiday
from raqmana.workflows.engine import ClockRule


def local(*args):
    return timezone.make_aware(datetime(*args))


def test_a_delay_in_working_days_skips_the_weekend_and_the_holidays(db):
    Holiday.objects.update_or_create(
        date=date(2026, 11, 30), defaults={"name_ar": "عطلة", "name_fr": "Fête", "kind": "national"}
    )
    rule = ClockRule("x", runs_in=["a"], expires_to="b", reason="", days=3, working_days=True)
    # Started on Thursday 26: Friday 27 is the first working day, then the weekend, Monday 30 a holiday, Tuesday 1st
    # and Wednesday 2: the delay ends with Wednesday.
    assert rule.due(local(2026, 11, 26, 10, 0)) == local(2026, 12, 3, 0, 0)
    assert rule.left(local(2026, 12, 3), local(2026, 11, 28, 9, 0)) == timedelta(days=2)  # Friday used
    assert rule.left(local(2026, 12, 3), local(2026, 12, 1, 9, 0)) == timedelta(days=1)
    calendar_days = ClockRule("y", runs_in=["a"], expires_to="b", reason="", days=3)
    assert calendar_days.due(local(2026, 11, 26, 10, 0)) == local(2026, 11, 29, 10, 0)


def test_every_transition_permission_is_declared():
    from raqmana.workflows.checks import every_transition_permission_is_declared

    assert every_transition_permission_is_declared(None) == []
