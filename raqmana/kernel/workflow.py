"""One step of an explicit workflow, shared by every module that keeps a state machine (acts, pre-declarations,
document orders, payments; later permits and complaints). Each module lists its states and allowed transitions
in its `constants.py` and keeps a log model built on `TransitionRecord`, with `from_state`, `to_state` and `by`."""

from django.core.exceptions import ValidationError
from django.db import models


class TransitionRecord(models.Model):
    """The log row of one step. Each workflow's own log adds the link to its subject, the two states with its
    choices, and who moved it (`by`)."""

    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


def move(subject, to_state, *, states, transitions, log, link, by, reason, refused):
    """Move `subject` to `to_state` if `transitions` allows it, recording who, when and why in `log`.

    `refused` is the translatable message, with %(from)s and %(to)s, for a move the table does not list. The
    caller saves the subject.
    """
    current = states(subject.state)
    if to_state not in transitions[current]:
        raise ValidationError(refused % {"from": current.label, "to": states(to_state).label})
    log.objects.create(**{link: subject}, from_state=current, to_state=to_state, by=by, reason=reason)
    subject.state = to_state
