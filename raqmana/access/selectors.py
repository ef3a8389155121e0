"""Reads about who holds what: the holders of a permission at a place, the people working in a user's scope."""

from django.db.models import Count, Q, QuerySet

from raqmana.territories.models import AdministrativeUnit, Territory, TerritoryLink

from .checking import Person
from .models import RoleAssignment
from .roles import ROLE_PERMISSIONS
from .scoping import visible_to


def roles_giving(permission: str) -> set[str]:
    """The roles whose holders have `permission` (the one table, roles.ROLE_PERMISSIONS)."""
    return {role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions}


def holders_of(permission: str, at: AdministrativeUnit | Territory) -> list[Person]:
    """The active people who may use `permission` at `at` through a role (the rules of `checking.has_permission`,
    in one query): held at that unit, or for a territory containing the place, or nationally."""
    if isinstance(at, AdministrativeUnit):
        at_place = Q(unit=at)
        territory_id = at.territory_id
    else:
        # A subquery, not a join on the units: the join would make PostgreSQL read every assignment (a sweep asks
        # this once a late request).
        at_place = Q(unit__in=AdministrativeUnit.objects.filter(territory=at).values("pk"))
        territory_id = at.pk
    above = TerritoryLink.objects.filter(descendant_id=territory_id).values("ancestor_id")
    assignments = (
        RoleAssignment.objects.active()
        .filter(role__in=roles_giving(permission), user__is_active=True)
        .filter(at_place | Q(unit__isnull=True, territory__in=above) | Q(unit__isnull=True, territory__isnull=True))
        .select_related("user")
    )
    return list({assignment.user_id: assignment.user for assignment in assignments}.values())


def active_people_under(user: Person, territory_ids: list[int]) -> dict[int, int]:
    """For each of these territories, how many people the user may see hold an active role under it."""
    return dict(
        visible_to(RoleAssignment.objects.active(), user)
        .filter(territory__ancestor_links__ancestor_id__in=territory_ids)
        .values_list("territory__ancestor_links__ancestor_id")
        .annotate(n=Count("user_id", distinct=True))
    )


def team_of(user: Person, assignment: RoleAssignment) -> QuerySet[RoleAssignment]:
    """The people the user may see working at the place of one of their assignments (its unit, or its territory
    and everything under it)."""
    team = visible_to(RoleAssignment.objects.active(), user)
    if assignment.unit_id:
        team = team.filter(unit_id=assignment.unit_id)
    else:
        subtree = TerritoryLink.objects.filter(ancestor_id=assignment.territory_id).values("descendant_id")
        team = team.filter(territory__in=subtree)
    return team.select_related("user", "unit", "territory").order_by("role", "user__full_name")
