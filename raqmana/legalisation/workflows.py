"""A request's workflow: prepared (online, or at the counter), then completed by the officer and entered in the
office's register, refused with reasons, or withdrawn by the citizen before the officer acts."""

from django.utils.translation import gettext_lazy as _

from raqmana.workflows.engine import Transition, Workflow

from .constants import RequestState as S
from .models import LegalisationRequest, LegalisationTransition

HANDLE = "legalisation.request.handle"


def lock_request(pk: object) -> LegalisationRequest:
    """The request's row, locked until the transaction ends, with its office and signer."""
    return (
        LegalisationRequest.objects.select_for_update(of=("self",))
        .select_related("office", "signer", "requester")
        .get(pk=pk)
    )


LEGALISATION_WORKFLOW = Workflow(
    "legalisation.request",
    states=S,
    transitions=[
        Transition([S.PREPARED], S.COMPLETED, permission=HANDLE),
        Transition([S.PREPARED], S.REFUSED, permission=HANDLE),
        Transition([S.PREPARED], S.WITHDRAWN, applicant=True),
    ],
    log=LegalisationTransition,
    link="request",
    refused=_("A request cannot go from “%(from)s” to “%(to)s”."),
    place=lambda request: request.office,
    applicant=lambda request: request.requester,
    lock=lock_request,
)
