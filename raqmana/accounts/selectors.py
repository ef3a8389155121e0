"""Reads about people, always through the requesting user's scope."""

from raqmana.audit.models import AuditEvent
from raqmana.territories.models import CivilStatusOffice, TerritoryLink

from .constants import SUPERVISOR_ROLES
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


def recent_activity(user, limit=15):
    return AuditEvent.objects.visible_to(user).select_related("actor", "territory")[:limit]


def representations(user):
    return user.representations.active().select_related("enterprise__commune")


def invitations(user):
    return user.representations.pending().select_related("enterprise__commune", "added_by")
