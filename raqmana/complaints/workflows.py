"""A request's workflow: received, forwarded, answered or closed as not admissible, re-opened once; two delays
run from its receipt (decree 2-17-265): its qualification (15 days) and its answer (60 days). Neither moves the
request when it runs out: the request is escalated to its supervisors and shown late."""

from django.utils.translation import gettext_lazy as _

from raqmana.workflows.engine import ClockRule, Transition, Workflow

from .constants import ComplaintState as S
from .models import Complaint, ComplaintTransition

HANDLE = "complaints.complaint.handle"


def lock_complaint(pk: object) -> Complaint:
    """The request's row, locked until the transaction ends, with its collectivity and office."""
    return Complaint.objects.select_for_update(of=("self",)).select_related("collectivity", "unit").get(pk=pk)


def _escalated(complaint: Complaint, reason: str) -> None:
    from .services import escalate  # the services move requests through this module

    escalate(complaint, reason)


COMPLAINT_WORKFLOW = Workflow(
    "complaints.complaint",
    states=S,
    transitions=[
        Transition([S.RECEIVED, S.REOPENED], S.FORWARDED, permission=HANDLE),
        Transition([S.RECEIVED, S.FORWARDED, S.REOPENED], S.ANSWERED, permission=HANDLE),
        Transition([S.RECEIVED, S.FORWARDED], S.NOT_ADMISSIBLE, permission=HANDLE),
        Transition([S.ANSWERED], S.REOPENED, applicant=True),
    ],
    log=ComplaintTransition,
    link="complaint",
    refused=_("A request cannot go from “%(from)s” to “%(to)s”."),
    place=lambda complaint: complaint.collectivity,
    applicant=lambda complaint: complaint.complainant,
    lock=lock_complaint,
    due=("answer", "answer_due_at"),
    clocks=[
        ClockRule(
            "qualification",
            runs_in=[S.RECEIVED],
            expires_to=None,
            setting="RAQMANA_COMPLAINT_QUALIFICATION_DAYS",
            reason=_("Not forwarded within its delay (decree 2-17-265): escalated to the supervisors."),
            then=_escalated,
        ),
        ClockRule(
            "answer",
            runs_in=[S.RECEIVED, S.FORWARDED, S.REOPENED],
            expires_to=None,
            setting="RAQMANA_COMPLAINT_ANSWER_DAYS",
            reason=_("Not answered within its delay (decree 2-17-265): escalated to the supervisors."),
            then=_escalated,
        ),
    ],
)
