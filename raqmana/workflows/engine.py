"""One `Workflow` per case type (an act, a pre-declaration, an order, a payment; later a permit, a complaint): its
states, the transitions between them with who may take each, its log, and its legal clocks.

Each app declares its workflows in its own `workflows.py`. `open()` writes a new case's first log row; `move()`
checks the table and the mover's permission, logs who, when and why, and starts, pauses, resumes or stops the
case's clocks. The caller saves the subject: it knows which of its fields changed with the state, and saves them
in one statement.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from raqmana.access.checking import require
from raqmana.calendars.workdays import WorkingCalendar
from raqmana.kernel.references import reference_to

from .models import Clock, ClockState

WORKFLOWS: dict[str, "Workflow"] = {}

SYSTEM_ONLY = _("This step is taken by the system, not by a person.")


@dataclass(frozen=True)
class Transition:
    """A step from one of `sources` to `target`, and who takes it: a person holding `permission` at the case's
    place; the case's own applicant when `applicant` (a citizen withdrawing their order); the system when `system`
    (a clock, a payment provider, a task). A transition with no permission and no applicant is the system's only."""

    sources: Iterable[str]
    target: str
    # A permission's code, or what gives it for the subject (a commission member's opinion: that member's).
    permission: str | Callable[[models.Model], str] | None = None
    applicant: bool = False
    system: bool = False


@dataclass(frozen=True)
class ClockRule:
    """A legal delay: it runs while the case is in one of `runs_in`, is paused (waiting for the applicant) in one of
    `paused_in`, stops in any other state, and once run out moves the case to `expires_to`, as the system, with
    `reason`. A clock with no `expires_to` never moves its case: run out, it is marked expired and its case is late
    (a complaint left unanswered is escalated, not answered by the system). Its length is `days`, or the setting
    named `setting`; in working days (through calendars: weekends and public holidays do not count) when
    `working_days`, else in calendar days.

    `then(subject, reason)`, when given, does what the expiry entails besides the move (cancel a payment), in the
    same transaction, after the subject is saved; on a clock with no `expires_to`, what lateness entails (tell the
    supervisor).

    A delay that varies from case to case (each procedure has its own) is `measured_by(subject)`: its days and
    whether they are working days. A case for which `moves_when(subject)` is false does not move when its delay
    runs out: its clock is marked expired, and stays so (a decision late by law stays late). A clock for which
    `applies_when(subject)` is false is never started on that case (a commission's delay on a dossier that goes to
    none)."""

    name: str
    runs_in: Iterable[str]
    expires_to: str | None
    reason: str | Promise
    days: int | None = None
    setting: str = ""
    working_days: bool = False
    paused_in: Iterable[str] = ()
    then: Callable[[models.Model, str], None] | None = None
    measured_by: Callable[[models.Model], tuple[int, bool]] | None = None
    moves_when: Callable[[models.Model], bool] | None = None
    applies_when: Callable[[models.Model], bool] | None = None

    def applies(self, subject: models.Model) -> bool:
        return self.applies_when is None or self.applies_when(subject)

    def for_subject(self, subject: models.Model) -> "ClockRule":
        """The rule as it applies to `subject`: its own delay, when the rule measures one per case."""
        if self.measured_by is None:
            return self
        days, working_days = self.measured_by(subject)
        return replace(self, days=days, working_days=working_days, setting="", measured_by=None)

    def moves(self, subject: models.Model) -> bool:
        """Whether the case moves to `expires_to` when its delay runs out."""
        return self.expires_to is not None and (self.moves_when is None or self.moves_when(subject))

    def length(self) -> int:
        """The delay in days, 1 or more (ImproperlyConfigured otherwise: a delay of none would run out as the case
        opens, a negative one before). The system check `workflows.E002` asks every declared clock at start."""
        days = getattr(settings, self.setting, None) if self.setting else self.days
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            given = f"the setting {self.setting} is {days!r}" if self.setting else f"days={days!r}"
            raise ImproperlyConfigured(f"The clock {self.name} lasts a whole number of days, 1 or more; {given}.")
        return days

    def due(self, start: datetime, days: int | timedelta | None = None) -> datetime:
        """When the delay started at `start` runs out: `days` after it (the whole length by default). A delay in
        working days ends with the last of them, at midnight: the day it starts on does not count."""
        days = self.length() if days is None else days
        if not self.working_days:
            return start + (days if isinstance(days, timedelta) else timedelta(days=days))
        count = days.days if isinstance(days, timedelta) else days
        last_day = WorkingCalendar().add_working_days(timezone.localdate(start), count)
        return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))

    def left(self, due_at: datetime, now: datetime) -> timedelta:
        """What is left of the delay at `now`: the time itself, or the working days not yet begun (as days); nothing
        once it has run out."""
        if due_at <= now:
            return timedelta(0)
        if not self.working_days:
            return due_at - now
        last_day = due_at.astimezone(timezone.get_current_timezone()).date() - timedelta(days=1)
        return timedelta(days=WorkingCalendar().working_days_between(timezone.localdate(now), last_day))


@dataclass
class Workflow:
    """A case type's life. `log` is its `TransitionRecord` model, whose foreign key to the subject is `link`;
    `refused` the message, with %(from)s and %(to)s, for a step the table does not list. `place(subject)` is the
    unit or territory where a person's permission is checked (anywhere when it gives None); `applicant(subject)`
    the person whose case it is. `lock(pk)` reads the subject locked, as the app always locks it (the clocks'
    runner takes it that way, so that it never waits in the other order on the rows an app locks together).

    `due` names one of its clocks and a column of the subject kept equal to that clock's due time while the clock
    runs or has run out without moving the case (None while paused or stopped): a queue sorted by the nearest
    delay reads it from the subject's own index rather than from every case's clock."""

    name: str
    states: type[models.TextChoices]
    transitions: list[Transition]
    log: type[models.Model]
    link: str
    refused: str | Promise
    place: Callable[[models.Model], models.Model | None] = lambda subject: None
    applicant: Callable[[models.Model], models.Model | None] = lambda subject: None
    lock: Callable[[object], models.Model] | None = None
    clocks: list[ClockRule] = field(default_factory=list)
    due: tuple[str, str] | None = None  # (clock name, subject field)

    def __post_init__(self) -> None:
        if self.name in WORKFLOWS:
            raise ImproperlyConfigured(f"Workflow {self.name} is declared twice.")
        self.table = {}
        for transition in self.transitions:
            for source in transition.sources:
                self.table[(self.states(source), self.states(transition.target))] = transition
        # States a case starts in and never comes back to, in which no clock runs or waits: a case still in one has
        # never had a clock, and moving it out of one reads none.
        entered = {self.states(transition.target) for transition in self.transitions}
        timed = {self.states(state) for clock in self.clocks for state in (*clock.runs_in, *clock.paused_in)}
        self.untimed_starts = {state for state in self.states if state not in entered and state not in timed}
        for clock in self.clocks:
            if clock.expires_to is None:
                continue
            for source in clock.runs_in:
                step = self.table.get((self.states(source), self.states(clock.expires_to)))
                if step is None or not step.system:
                    raise ImproperlyConfigured(f"{self.name}: clock {clock.name} expires by a step the system lacks.")
        WORKFLOWS[self.name] = self

    def open(self, subject: models.Model, *, by: models.Model | None, reason: str | Promise = "") -> None:
        """Record a new case's first state (the subject is saved), and start the clocks that run in it."""
        self.log.objects.create(**{self.link: subject}, from_state="", to_state=subject.state, by=by, reason=reason)
        self._set_clocks(subject, subject.state, existing={})

    def next_states(self, subject: models.Model) -> list[models.TextChoices]:
        """The states the table lets the subject go to from its own (a form offers only these)."""
        current = self.states(subject.state)
        return [target for source, target in self.table if source == current]

    def check(
        self, subject: models.Model, to_state: str, *, by: models.Model | None, at: models.Model | None = None
    ) -> Transition:
        """The transition from the subject's state to `to_state`, if the table lists it and `by` may take it
        (PermissionDenied, or ValidationError with `refused`, otherwise). `by` None is the system."""
        current = self.states(subject.state)
        transition = self.table.get((current, self.states(to_state)))
        if transition is None:
            raise ValidationError(self.refused % {"from": current.label, "to": self.states(to_state).label})
        if by is None:
            if not transition.system:
                raise ImproperlyConfigured(f"{self.name}: {current} → {to_state} is taken by a person, not the system.")
        elif transition.applicant and _same(self.applicant(subject), by):
            pass
        elif transition.permission:
            permission = transition.permission(subject) if callable(transition.permission) else transition.permission
            require(by, permission, at if at is not None else self.place(subject))
        else:
            raise PermissionDenied(SYSTEM_ONLY)
        return transition

    def move(self, subject: models.Model, to_state: str, *, by: models.Model | None, reason: str | Promise = "",
             at: models.Model | None = None, saved_whole: bool = False) -> None:  # fmt: skip
        """Move `subject` to `to_state` (see `check`), recording who, when and why; the caller saves it. The due
        time it keeps on the subject's row is written at once, unless the caller then saves every field of the
        subject (`saved_whole`)."""
        self.check(subject, to_state, by=by, at=at)
        self.log.objects.create(
            **{self.link: subject}, from_state=subject.state, to_state=to_state, by=by, reason=reason
        )
        came_from = self.states(subject.state)
        existing = {} if came_from in self.untimed_starts else None
        subject.state = to_state
        self._set_clocks(subject, to_state, existing=existing, saved_whole=saved_whole, came_from=came_from)

    def _set_clocks(self, subject: models.Model, state: str, existing: dict[str, Clock] | None = None,
                    saved_whole: bool = False, came_from: str = "") -> None:  # fmt: skip
        """Start, pause, resume or stop each of the subject's clocks for its new state (`existing`: its clocks by
        name, read here unless given; `came_from`: the state it leaves)."""
        if not self.clocks:
            return
        now = timezone.now()
        reference = reference_to(subject)
        if existing is None:
            existing = {clock.name: clock for clock in Clock.objects.filter(**reference, workflow=self.name)}
        for declared in self.clocks:
            if not declared.applies(subject):
                continue
            rule = declared.for_subject(subject)
            clock = existing.get(rule.name)
            if state in rule.runs_in:
                if clock is None:
                    existing[rule.name] = Clock.objects.create(
                        **reference, workflow=self.name, name=rule.name, started_at=now, due_at=rule.due(now)
                    )
                elif clock.state == ClockState.EXPIRED and not rule.moves(subject) and not _left(rule, came_from):
                    continue  # run out without moving the case, which has not left its states since: it stays late
                elif clock.state in {ClockState.STOPPED, ClockState.EXPIRED}:  # entered again: it starts over
                    clock.state, clock.started_at, clock.due_at = ClockState.RUNNING, now, rule.due(now)
                    clock.paused_at = clock.remaining = clock.ended_at = None
                    clock.reason = ""
                    clock.save()
                elif clock.state == ClockState.PAUSED:
                    # One that had run out before its pause (the runner had not taken it yet) runs out at once.
                    run_out = clock.due_at is not None
                    clock.state, clock.due_at = ClockState.RUNNING, now if run_out else rule.due(now, clock.remaining)
                    clock.paused_at, clock.remaining, clock.reason = None, None, ""
                    clock.save(update_fields=["state", "due_at", "paused_at", "remaining", "reason"])
            elif clock is not None:
                self.follow(rule, clock, state, now)
        if self.due is not None:
            self._keep_due(subject, existing.get(self.due[0]), write=not saved_whole)

    def _keep_due(self, subject: models.Model, clock: Clock | None, *, write: bool) -> None:
        """Set the `due` clock's due time on the object, when it changed, and write it on its row (`write`)."""
        running = clock is not None and clock.state in {ClockState.RUNNING, ClockState.EXPIRED}
        due_at = clock.due_at if running and clock is not None else None
        field_name = self.due[1] if self.due else ""
        if getattr(subject, field_name) != due_at:
            setattr(subject, field_name, due_at)
            if write:
                type(subject)._default_manager.filter(pk=subject.pk).update(**{field_name: due_at})

    def follow(self, rule: ClockRule, clock: Clock, state: str, now: datetime, reason: str = "") -> None:
        """Pause `clock` for a case now in one of its rule's `paused_in` states, or stop it in any other (one where it
        does not run); `reason` says why when the case moved without this workflow."""
        if state in rule.paused_in:
            if clock.state != ClockState.RUNNING:
                return
            clock.state, clock.remaining, clock.paused_at = ClockState.PAUSED, rule.left(clock.due_at, now), now
            if clock.due_at > now:  # a clock that has run out keeps its due time: it runs out as soon as it resumes
                clock.due_at = None
            clock.reason = reason
            clock.save(update_fields=["state", "remaining", "paused_at", "due_at", "reason"])
        elif clock.state in {ClockState.RUNNING, ClockState.PAUSED}:
            clock.state, clock.ended_at, clock.reason = ClockState.STOPPED, now, reason
            clock.save(update_fields=["state", "ended_at", "reason"])

    def state_of(self, subject: models.Model) -> models.TextChoices:
        """The subject's state, as one of `states`."""
        return self.states(subject.state)

    def clock_rule(self, name: str, subject: models.Model) -> ClockRule:
        """The clock `name` as it applies to `subject`."""
        return next(rule for rule in self.clocks if rule.name == name).for_subject(subject)

    def lock_subject(self, pk: object) -> models.Model:
        if self.lock is not None:
            return self.lock(pk)
        return self.log._meta.get_field(self.link).related_model.objects.select_for_update().get(pk=pk)


def _left(rule: ClockRule, came_from: str) -> bool:
    """Whether a case coming from `came_from` enters the clock's states anew (an answered complaint re-opened), rather
    than moving within them or out of a pause."""
    return bool(came_from) and came_from not in rule.runs_in and came_from not in rule.paused_in


def _same(person: models.Model | None, by: models.Model) -> bool:
    return person is not None and person.pk == by.pk
