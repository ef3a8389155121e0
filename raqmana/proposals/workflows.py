"""A proposal's workflow: received, under study, then adopted or rejected with reasons by the DGCT; an adopted
proposal is implemented. Each step is the DGCT's, logged with who, when and why."""

from django.utils.translation import gettext_lazy as _

from raqmana.workflows.engine import Transition, Workflow

from .constants import ProposalState as S
from .models import Proposal, ProposalTransition

DECIDE = "proposals.proposal.decide"


def lock_proposal(pk: object) -> Proposal:
    return Proposal.objects.select_for_update(of=("self",)).select_related("proposer").get(pk=pk)


PROPOSAL_WORKFLOW = Workflow(
    "proposals.proposal",
    states=S,
    transitions=[
        Transition([S.RECEIVED], S.UNDER_STUDY, permission=DECIDE),
        Transition([S.RECEIVED, S.UNDER_STUDY], S.ADOPTED, permission=DECIDE),
        Transition([S.RECEIVED, S.UNDER_STUDY], S.REJECTED, permission=DECIDE),
        Transition([S.ADOPTED], S.IMPLEMENTED, permission=DECIDE),
    ],
    log=ProposalTransition,
    link="proposal",
    refused=_("A proposal cannot go from “%(from)s” to “%(to)s”."),
    lock=lock_proposal,
)
