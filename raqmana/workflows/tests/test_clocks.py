"""A clock's delay: in working days it skips weekends and holidays (calendars), in calendar days it does not; what is
left when it pauses counts the working days not yet begun."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
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


@pytest.mark.parametrize("days", [0, -1, None, "3", True])
def test_a_clock_lasts_a_whole_day_or_more(days):
    rule = ClockRule("z", runs_in=["a"], expires_to="b", reason="", days=days)
    with pytest.raises(ImproperlyConfigured, match="1 or more"):
        rule.length()


def test_the_system_check_names_a_clock_setting_below_a_day(settings):
    from raqmana.workflows.checks import every_clock_lasts_a_day_or_more

    assert every_clock_lasts_a_day_or_more(None) == []
    settings.RAQMANA_ORDER_PAYMENT_DAYS = 0
    [error] = every_clock_lasts_a_day_or_more(None)
    assert error.id == "workflows.E002"
    assert "documents.order" in error.msg and "RAQMANA_ORDER_PAYMENT_DAYS is 0" in error.msg


def test_a_delay_run_out_has_nothing_left(db):
    working = ClockRule("x", runs_in=["a"], expires_to="b", reason="", days=3, working_days=True)
    calendar_days = ClockRule("y", runs_in=["a"], expires_to="b", reason="", days=3)
    for rule in (working, calendar_days):
        assert rule.left(local(2026, 12, 3), local(2026, 12, 3)) == timedelta(0)
        assert rule.left(local(2026, 12, 3), local(2026, 12, 14, 10, 0)) == timedelta(0)


def test_the_states_a_case_never_comes_back_to_and_no_clock_times_are_its_untimed_starts():
    from raqmana.procedures.constants import DossierState, OpinionState
    from raqmana.procedures.workflows import DOSSIER_WORKFLOW, OPINION_WORKFLOW
    from raqmana.workflows.engine import WORKFLOWS

    assert DOSSIER_WORKFLOW.untimed_starts == {DossierState.DRAFT}
    assert OpinionState.REQUESTED not in OPINION_WORKFLOW.untimed_starts  # the member's delay runs in it
    for workflow in WORKFLOWS.values():
        entered = {transition.target for transition in workflow.transitions}
        timed = {state for clock in workflow.clocks for state in (*clock.runs_in, *clock.paused_in)}
        assert not (entered | timed) & workflow.untimed_starts
