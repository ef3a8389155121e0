"""Writes of the proposals channel: an official's proposal (with up to three files, checked, rewritten and scanned),
a comment, a support; the DGCT's steps, each published with its outcome and told to the proposer."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.documents import services as documents
from raqmana.kernel.uploads import scanned_uploads
from raqmana.notifications.services import notify
from raqmana.procedures.models import Procedure
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory
from raqmana.territories.selectors import place_chain

from . import selectors
from .constants import MAX_FILES, OPEN_STATES, ProposalState
from .models import Comment, Proposal, ProposalFile, Support
from .workflows import PROPOSAL_WORKFLOW, lock_proposal

TAKE_PART = selectors.TAKE_PART


def submit(
    *,
    by: User,
    collectivity: Territory,
    title: str,
    problem: str,
    proposal: str,
    procedure: Procedure | None = None,
    files: Sequence[File] = (),
) -> Proposal:
    """An official proposes, for the collectivity they act for, what would ease the dematerialisation of a procedure
    (the catalogue's, when it is there): the problem, the proposal, up to three files."""
    places = selectors.places_of(by)
    if not places:
        raise PermissionDenied(_("Only the officials of a collectivity take part in the proposals channel."))
    if collectivity not in places:
        raise ValidationError({"collectivity": _("Choose a collectivity you act for.")})
    region = next(place for place in place_chain(collectivity.pk) if place.level == Level.REGION)
    found = Proposal(
        proposer=by,
        collectivity=collectivity,
        region=region,
        procedure=procedure,
        title=str(title or "").strip(),
        problem=str(problem or "").strip(),
        proposal=str(proposal or "").strip(),
    )
    found.clean_fields(exclude=["proposer", "collectivity", "region", "procedure"])
    scanned = scanned_uploads(
        files,
        most=MAX_FILES,
        scanner_away=_("The virus scanner does not answer: send the proposal again in a few minutes."),
    )
    with transaction.atomic():
        found.save()
        for one in scanned:
            documents.keep(one, ProposalFile(proposal=found), prefix=found.pk)
        PROPOSAL_WORKFLOW.open(found, by=by)
        record(actor=by, action="proposal.submitted", target=found, national=True)
    return found


def _place_of(by: User) -> Territory | None:
    """The collectivity an official speaks for beside their comment or support (the first they act for)."""
    places = selectors.places_of(by)
    return places[0] if places else None


@transaction.atomic
def comment(proposal: Proposal, *, by: User, text: str) -> Comment:
    require(by, TAKE_PART)
    written = Comment(proposal=proposal, author=by, collectivity=_place_of(by), text=str(text or "").strip())
    written.clean_fields(exclude=["proposal", "author", "collectivity"])
    written.save()
    record(actor=by, action="proposal.commented", target=proposal, national=True)
    return written


def support(proposal: Proposal, *, by: User) -> Support:
    """An official supports another's proposal, once, while it is received, under study or adopted."""
    require(by, TAKE_PART)
    if proposal.proposer_id == by.pk:
        raise ValidationError(_("You do not support your own proposal: others do."))
    if proposal.state not in OPEN_STATES:
        raise ValidationError(_("This proposal is closed: it is no longer supported."))
    try:
        with transaction.atomic():
            given = Support.objects.create(proposal=proposal, supporter=by, collectivity=_place_of(by))
            record(actor=by, action="proposal.supported", target=proposal, national=True)
    except IntegrityError:
        raise ValidationError(_("You already support this proposal.")) from None
    return given


def move(proposal: Proposal, *, by: User, to_state: str, outcome: str = "") -> Proposal:
    """The DGCT studies, adopts, rejects (the reasons are required) or records the implementation of a proposal;
    the outcome is published on the proposal and the proposer is told."""
    if to_state not in ProposalState.values:
        raise ValidationError({"state": _("Choose a state.")})
    outcome = Proposal.checked_text("outcome", str(outcome or "").strip())
    if to_state != ProposalState.UNDER_STUDY and not outcome:
        message = (
            _("Say why the proposal is rejected.")
            if to_state == ProposalState.REJECTED
            else _("Say what is decided, for every collectivity to read.")
        )
        raise ValidationError({"outcome": message})
    with transaction.atomic():
        found = lock_proposal(proposal.pk)
        PROPOSAL_WORKFLOW.move(found, to_state, by=by, reason=outcome[:300])
        fields = ["state"]
        if outcome:
            found.outcome = outcome
            fields.append("outcome")
        if to_state != ProposalState.UNDER_STUDY:
            found.decided_at = timezone.now()
            fields.append("decided_at")
        found.save(update_fields=fields)
        record(actor=by, action="proposal.moved", target=found, national=True, details={"state": to_state})
        url = documents.public_url("proposals:proposal", found.pk)
        notify(found.proposer, "proposals.moved", {"proposal": found, "url": url})
    return found
