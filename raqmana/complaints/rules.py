"""Decree 2-17-265 (23 June 2017) on receiving the citizens' observations, suggestions and complaints, following
them up and dealing with them: one function per rule, the provision in its docstring."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .constants import RequestKind


def check_anonymity(kind: str, anonymous: bool) -> None:
    """Decree 2-17-265, art. 4 and 5: a complaint states who files it, since it is answered to the person who suffered
    the harm; an observation may be made without a name. A suggestion is made by a person, who is answered."""
    if anonymous and kind != RequestKind.OBSERVATION:
        refusal = _("Only an observation may be made without your name: a complaint or a suggestion is answered.")
        raise ValidationError({"anonymous": refusal})


def qualification_days() -> int:
    """Decree 2-17-265, art. 8: the request is examined and sent to the competent service within 15 days of its
    receipt (RAQMANA_COMPLAINT_QUALIFICATION_DAYS)."""
    return settings.RAQMANA_COMPLAINT_QUALIFICATION_DAYS


def answer_days() -> int:
    """Decree 2-17-265, art. 9: the administration answers within 60 days of the receipt at most
    (RAQMANA_COMPLAINT_ANSWER_DAYS)."""
    return settings.RAQMANA_COMPLAINT_ANSWER_DAYS


def check_reopening(answered_at: datetime | None, reopened_at: datetime | None, now: datetime) -> None:
    """A complainant not satisfied by the answer re-opens it once (the Chikaya model's appeal to the same
    administration), within RAQMANA_COMPLAINT_REOPEN_DAYS of the answer; after that, or a second time, the
    ombudsman (Law 14-16) and the courts remain."""
    if reopened_at is not None:
        raise ValidationError(_("This request was already re-opened once: it cannot be re-opened again."))
    days = settings.RAQMANA_COMPLAINT_REOPEN_DAYS
    if answered_at is None or now > answered_at + timedelta(days=days):
        raise ValidationError(
            _("An answer is re-opened within %(days)d days of it: that time has passed.") % {"days": days}
        )
