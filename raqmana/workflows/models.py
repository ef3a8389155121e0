from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.references import RecordReference


class TransitionRecord(models.Model):
    """The log row of one step of a workflow. Each workflow's log adds the link to its subject, the two states
    with its choices, and who moved it (`by`, empty for the system: a clock, a payment provider)."""

    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused: waiting for the applicant")
    STOPPED = "stopped", _("Stopped")
    EXPIRED = "expired", _("Expired")


class Clock(RecordReference):
    """A legal delay running on one case: declared on its workflow (`engine.Clock`), started, paused, resumed and
    stopped as the case moves, and taken by `services.run_due_clocks` once due. Never deleted."""

    workflow = models.CharField(_("workflow"), max_length=60)
    name = models.CharField(_("clock"), max_length=60)
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField(_("started at"))
    # None while paused, unless it had run out before its pause: then it runs out as soon as it resumes.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    # What was left when paused: a duration for a clock in calendar days, whole working days for one in working days.
    remaining = models.DurationField(_("remaining when paused"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Why the clocks' runner stopped or paused it: its case had left the states it runs in by another path.
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "workflow", "name"], name="one_clock_per_subject_and_name"
            )
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="clock_due")]

    def __str__(self):
        return f"{self.workflow}.{self.name} {self.subject_type_id}:{self.subject_id} ({self.state})"
