"""Reads of the proposals channel, for the officials who take part and the DGCT: the lists by state, by region, the
most supported first; the good practices (adopted or implemented); one proposal with its comments and files. Not
personal data of citizens: every official reads every collectivity's proposals, which is the channel's purpose."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from raqmana.access.checking import has_permission, holding
from raqmana.accounts.models import User
from raqmana.territories.constants import LOCAL_LEVELS, PROVINCIAL_LEVELS, Level
from raqmana.territories.models import Territory

from .constants import GOOD_PRACTICE_STATES, Ordering, ProposalState
from .models import Proposal, ProposalFile

TAKE_PART = "proposals.proposal.take_part"
DECIDE = "proposals.proposal.decide"
COLLECTIVITY_LEVELS = (*LOCAL_LEVELS, *PROVINCIAL_LEVELS, Level.REGION)


def may_read(user: User) -> bool:
    return has_permission(user, TAKE_PART) or has_permission(user, DECIDE)


def check_reader(user: User) -> None:
    if not may_read(user):
        raise PermissionDenied(_("Only the officials of a collectivity take part in the proposals channel."))


def places_of(user: User) -> list[Territory]:
    """The collectivities the official acts for (their roles' territories, or their office's), in which they
    propose; none for a national role."""
    places: dict[int, Territory] = {}
    for assignment in holding(user, TAKE_PART):
        place = assignment.unit.territory if assignment.unit is not None else assignment.territory
        if place is not None and place.level in COLLECTIVITY_LEVELS:
            places.setdefault(place.pk, place)
    return sorted(places.values(), key=lambda place: place.name)


def proposals(
    user: User, *, state: str = "", region: Territory | None = None, ordering: str = Ordering.RECENT
) -> QuerySet[Proposal]:
    """Every collectivity's proposals, of one state or region if asked, the most recent or the most supported first."""
    check_reader(user)
    found = Proposal.objects.select_related("collectivity", "region", "procedure").annotate(
        support_count=Count("supports", distinct=True), comment_count=Count("comments", distinct=True)
    )
    if state in ProposalState.values:
        found = found.filter(state=state)
    if region is not None:
        found = found.filter(region=region)
    if ordering == Ordering.SUPPORTED:
        return found.order_by("-support_count", "-submitted_at", "-pk")
    return found.order_by("-submitted_at", "-pk")


def good_practices(user: User) -> QuerySet[Proposal]:
    """The proposals the DGCT adopted or saw implemented, for every collectivity to follow."""
    found = proposals(user).filter(state__in=GOOD_PRACTICE_STATES)
    return found.order_by("-decided_at", "-pk")


def regions_with_proposals() -> QuerySet[Territory]:
    return Territory.objects.filter(level=Level.REGION, pk__in=Proposal.objects.values("region")).order_by("code")


def proposal_for(user: User, pk: int) -> Proposal:
    """One proposal with its counts, for an official or the DGCT; Http404 when there is none."""
    check_reader(user)
    related = ("proposer", "collectivity", "region", "procedure")
    found = (
        Proposal.objects.select_related(*related)
        .annotate(support_count=Count("supports", distinct=True))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("No such proposal."))
    return found


def has_supported(user: User, proposal: Proposal) -> bool:
    return proposal.supports.filter(supporter=user).exists()


def file_for(user: User, pk: int) -> ProposalFile:
    check_reader(user)
    found = ProposalFile.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such file."))
    return found


def counts_by_state() -> dict[str, int]:
    rows = Proposal.objects.values("state").annotate(count=Count("pk"))
    counts = dict.fromkeys(ProposalState.values, 0)
    counts.update({row["state"]: row["count"] for row in rows})
    return counts
