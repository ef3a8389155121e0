"""Reads about people, always through the requesting user's scope."""

from django.db.models import Q

from raqmana.access.roles import SUPERVISOR_ROLES
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import OFFICE_STAFF_ROLES, REGISTER_READER_ROLES
from raqmana.territories.models import CivilStatusOffice, TerritoryLink
from raqmana.territories.scoping import scopes_of

from .models import RoleAssignment


def active_roles(user):
    return user.role_assignments.active().select_related("territory", "office__territory")


def is_supervisor(user):
    return user.is_superuser or any(assignment.role in SUPERVISOR_ROLES for assignment in active_roles(user))


def works_locally(user):
    """Whether the user holds a role at an office or a commune, the places with a counter of their own."""
    return any(assignment.role not in SUPERVISOR_ROLES for assignment in active_roles(user))


def workspace(user):
    """What an office or commune agent sees: each place they work for, its offices and its team."""
    places = []
    for assignment in active_roles(user):
        if assignment.role in SUPERVISOR_ROLES:
            continue
        if assignment.office_id:
            offices = CivilStatusOffice.objects.visible_to(user).filter(pk=assignment.office_id)
            team = RoleAssignment.objects.visible_to(user).active().filter(office_id=assignment.office_id)
        else:
            subtree = TerritoryLink.objects.filter(ancestor_id=assignment.territory_id).values("descendant_id")
            offices = CivilStatusOffice.objects.visible_to(user).filter(territory__in=subtree)
            team = RoleAssignment.objects.visible_to(user).active().filter(territory__in=subtree)
        places.append(
            {
                "assignment": assignment,
                "territory": assignment.office.territory if assignment.office_id else assignment.territory,
                "offices": offices.select_related("territory"),
                "team": team.select_related("user", "office", "territory").order_by("role", "user__full_name"),
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


def activity(user):
    events = AuditEvent.objects
    return (
        events.visible_to(user).exclude(REGISTER_EVENTS)
        | events.visible_to(user, roles=REGISTER_READER_ROLES)
        .filter(REGISTER_EVENTS)
        .exclude(action=COPY_ISSUED_ELSEWHERE)
        | _copies_issued_elsewhere(user)
    ).select_related("actor", "territory")


def recent_activity(user, limit=15):
    return activity(user)[:limit]


def copies_issued_elsewhere(user):
    """Full copies and family booklet records issued by other offices from the acts of the offices where the user
    is a civil status agent or officer, with the requester's identity document number, newest first."""
    return _copies_issued_elsewhere(user).select_related("actor", "actor_unit")


def _copies_issued_elsewhere(user):
    place = AuditEvent.objects.scope_condition(user, OFFICE_STAFF_ROLES, "territory", "unit")
    events = AuditEvent.objects.filter(action=COPY_ISSUED_ELSEWHERE)
    return events if place is None else events.filter(place)


def works_at_a_counter(user):
    return bool(scopes_of(user, OFFICE_STAFF_ROLES))  # cached on the user: the activity feed asks it too


def representations(user):
    return user.representations.active().select_related("enterprise__commune")


def invitations(user):
    return user.representations.pending().select_related("enterprise__commune", "added_by")
