"""Reads for the page shell: an agent's workspace, a supervisor's territories and the activity both follow, always
through the requesting user's scope."""

from typing import TypedDict

from django.db.models import Count, Q, QuerySet

from raqmana.access.checking import Person, holding
from raqmana.access.models import RoleAssignment
from raqmana.access.scoping import NATIONAL, scope_condition, scopes_of, visible_to
from raqmana.access.selectors import active_people_under, team_of
from raqmana.audit.models import AuditEvent
from raqmana.audit.selectors import ShownEvent, shown_events
from raqmana.notifications import selectors as notification_selectors
from raqmana.notifications.models import Notification
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory, TerritoryLink


class WorkPlace(TypedDict):
    """A place an agent works for, as the workspace shows it."""

    assignment: RoleAssignment
    territory: Territory | None
    offices: QuerySet[CivilStatusOffice]
    team: QuerySet[RoleAssignment]


def workspace(user: Person) -> list[WorkPlace]:
    """What an office or commune agent sees: each place they work for, its offices and its team."""
    places: list[WorkPlace] = []
    for assignment in holding(user, "portal.workspace.view"):
        offices = visible_to(CivilStatusOffice.objects.all(), user)
        if assignment.unit_id:
            offices = offices.filter(pk=assignment.unit_id)
        else:
            subtree = TerritoryLink.objects.filter(ancestor_id=assignment.territory_id).values("descendant_id")
            offices = offices.filter(territory__in=subtree)
        places.append(
            {
                "assignment": assignment,
                "territory": assignment.unit.territory if assignment.unit else assignment.territory,
                "offices": offices.select_related("territory"),
                "team": team_of(user, assignment),
            }
        )
    return places


# Events of the register carry personal data (act references, reasons of reads): only its readers see them,
# each within their place; a restricted copy issued elsewhere (the requester's identity document number) only
# the civil status staff of the office keeping the act. Other roles see the events of their own domains.
REGISTER_EVENTS = (
    Q(action__startswith="act.")
    | Q(action__startswith="document")
    | Q(action__startswith="death_notice.")
    | Q(action__startswith="pre_declaration.")
)
COPY_ISSUED_ELSEWHERE = "act.copy_issued_elsewhere"


def activity(user: Person) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    return (
        visible_to(events, user).exclude(REGISTER_EVENTS)
        | visible_to(events, user, "civil_status.act.read")
        .filter(REGISTER_EVENTS)
        .exclude(action=COPY_ISSUED_ELSEWHERE)
        | _copies_issued_elsewhere(user)
    ).select_related("actor", "territory")


def recent_activity(user: Person, limit: int = 15) -> list[ShownEvent]:
    """The last events of the user's scope, each told in the active language."""
    return shown_events(activity(user)[:limit])


def copies_issued_elsewhere(user: Person) -> QuerySet[AuditEvent]:
    """Full copies and family booklet records issued by other offices from the acts of the offices where the user
    is a civil status agent or officer, with the requester's identity document number, newest first."""
    return _copies_issued_elsewhere(user).select_related("actor", "actor_unit")


def _copies_issued_elsewhere(user: Person) -> QuerySet[AuditEvent]:
    # Where the act is kept, not where the copy was issued: the issuing office's supervisors do not see it.
    place = scope_condition(user, (("territory", "unit"),), "civil_status_documents.copy_elsewhere.read")
    events = AuditEvent.objects.filter(action=COPY_ISSUED_ELSEWHERE)
    return events if place is None else events.filter(place)


def supervised_roots(user: Person) -> QuerySet[Territory]:
    """The places a supervisor starts from: the regions for national roles, else the places they hold."""
    scopes = scopes_of(user)
    if NATIONAL in scopes:
        return Territory.objects.filter(level=Level.REGION)
    return Territory.objects.filter(pk__in={scope.territory_id for scope in scopes if not scope.unit_id})


class TerritorySummary(TypedDict):
    territory: Territory
    communes: int
    offices: int
    agents: int


def summarise(user: Person, territories: QuerySet[Territory]) -> list[TerritorySummary]:
    """For each territory: communes, civil status offices and active agents under it, and its population."""
    visible = list(visible_to(territories, user))
    ids = [territory.pk for territory in visible]
    communes = dict(
        TerritoryLink.objects.filter(ancestor_id__in=ids, descendant__level=Level.COMMUNE)
        .values_list("ancestor_id")
        .annotate(n=Count("descendant_id"))
    )
    offices = dict(
        visible_to(CivilStatusOffice.objects.all(), user)
        .filter(territory__ancestor_links__ancestor_id__in=ids)
        .values_list("territory__ancestor_links__ancestor_id")
        .annotate(n=Count("pk"))
    )
    agents = active_people_under(user, ids)
    return [
        {
            "territory": territory,
            "communes": communes.get(territory.pk, 0),
            "offices": offices.get(territory.pk, 0),
            "agents": agents.get(territory.pk, 0),
        }
        for territory in visible
    ]


def undelivered_notifications(user: Person) -> QuerySet[Notification]:
    """The notifications not delivered that concern the offices where the user may send them again (those about no
    office: the national administration's), newest first."""
    undelivered = notification_selectors.undelivered().select_related("user", "unit")
    return visible_to(undelivered, user, "portal.notification.resend").order_by("-created_at", "-pk")
