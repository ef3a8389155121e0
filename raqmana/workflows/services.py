"""The clocks' runner: every clock run out moves its case by the transition its workflow declares, once."""

import logging
from datetime import datetime

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .engine import WORKFLOWS, ClockRule, Workflow
from .models import Clock, ClockState

logger = logging.getLogger(__name__)


def run_due_clocks(now: datetime | None = None) -> int:
    """Take every transition whose clock has run out by `now`; returns how many were taken.

    Each clock is taken in its own transaction, which locks its case first (as its app locks it), then the clock's
    row, skipping it when another run holds it (PostgreSQL's SKIP LOCKED; SQLite runs one writer at a time), and
    re-reads it there: two runs that overlap never take one clock twice, and a case moved meanwhile (paid, paused)
    is left alone. A clock whose case left the states it runs in by another path is paused or stopped, with why. A
    clock whose expiry fails is logged and tried again at the next run."""
    now = now or timezone.now()
    due = Clock.objects.filter(state=ClockState.RUNNING, due_at__lte=now).order_by("due_at", "pk")
    taken = 0
    for clock_id, workflow_name, subject_id in due.values_list("pk", "workflow", "subject_id"):
        workflow = WORKFLOWS[workflow_name]
        try:
            with transaction.atomic():
                subject = workflow.lock_subject(subject_id)
                locked = Clock.objects.select_for_update(
                    skip_locked=connection.features.has_select_for_update_skip_locked
                )
                clock = locked.filter(pk=clock_id, state=ClockState.RUNNING, due_at__lte=now).first()
                if clock is None:
                    continue
                rule = workflow.clock_rule(clock.name, subject)
                state = workflow.state_of(subject)
                if state not in rule.runs_in:
                    _set_aside(workflow, rule, clock, state, now)
                    continue
                _expire(workflow, rule, clock, subject, now)
                taken += 1
        except Exception:  # one case's failure must not stop the others' clocks
            logger.exception("The clock %s could not be taken.", clock_id)
    return taken


def _set_aside(workflow: Workflow, rule: ClockRule, clock: Clock, state: models.TextChoices, now: datetime) -> None:
    """A case moved out of the clock's states without its workflow (a data fix, a migration): the clock is paused or
    stopped as that state asks, with why, rather than tried again at every run."""
    reason = _("Its case was moved to “%(state)s” without its workflow: set aside by the clocks' runner.") % {
        "state": state.label
    }
    workflow.follow(rule, clock, state, now, reason=reason[:300])
    logger.warning("The clock %s is set aside: its case is %s, where it does not run.", clock.pk, state)


def _expire(workflow: Workflow, rule: ClockRule, clock: Clock, subject: models.Model, now: datetime) -> None:
    reason = str(rule.reason)
    # Ended before the move, which then finds it ended and leaves it as it is.
    clock.state, clock.ended_at = ClockState.EXPIRED, now
    clock.save(update_fields=["state", "ended_at"])
    if rule.expires_to is None or not rule.moves(subject):
        logger.info("The clock %s ran out; its case stays where it is.", clock.pk)
        if rule.expires_to is None and rule.then is not None:
            rule.then(subject, reason)
        return
    workflow.move(subject, rule.expires_to, by=None, reason=reason)
    subject.save(update_fields=["state"])
    if rule.then is not None:
        rule.then(subject, reason)
