"""The one scoping mechanism: every read of scoped data goes through `visible_to(queryset, user, permission=...)`.

A user's scopes come from their active role assignments (`checking.assignments_of`, one query per request), only
those whose role gives `permission` when one is named: the register is read with "civil_status.act.read", so a
commune's mail registry agent does not read it. A scope is a place (a territory, or a unit inside one) or the whole
country. A territory scope reaches its place and everything under it, following the closure table, so a supervisor
reads downward and never sideways or upward. A unit scope reaches the rows of that unit; on rows that belong to no
unit, only those of the unit's own territory (an office of Casablanca's commune does not read its arrondissements').

A model opts in without knowing people: it declares, as the class attribute `scope_places`, the places a row stands
at, each a pair of lookups (to its territory, to its unit or None). A row is visible when the user's scopes reach any
of its places: an audit event stands both where its target is and where its actor works.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from raqmana.territories.models import TerritoryLink

from .checking import Person, assignments_of, holding
from .registry import PERMISSIONS


@dataclass(frozen=True)
class Scope:
    territory_id: int | None
    unit_id: int | None = None


NATIONAL = Scope(None)


def scopes_of(user: Person, permission: str | None = None) -> frozenset[Scope]:
    """The places this user acts for, through any role or only through the roles that give `permission`.

    A superuser reads the whole country, except through a permission kept from superusers (`Permission.superusers`):
    the checks queue, which shows citizens' identity proofs, is read by the office's agents only."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser and (permission is None or PERMISSIONS[permission].superusers):
        return frozenset({NATIONAL})
    assignments = assignments_of(user) if permission is None else holding(user, permission)
    return frozenset(Scope(assignment.territory_id, assignment.unit_id) for assignment in assignments)


def visible_to(queryset: models.QuerySet, user: Person, permission: str | None = None) -> models.QuerySet:
    """The rows of `queryset` standing at a place the user acts for (with `permission`, when named)."""
    condition = scope_condition(user, queryset.model.scope_places, permission)
    return queryset if condition is None else queryset.filter(condition)


def scope_condition(
    user: Person, places: Iterable[tuple[str, str | None]], permission: str | None = None
) -> models.Q | None:
    """The condition on rows standing at `places` (pairs of lookups: territory, unit) that the user's scopes reach;
    None when they reach every row (a national scope)."""
    scopes = scopes_of(user, permission)
    if NATIONAL in scopes:
        return None
    condition = models.Q(pk__in=[])
    subtree_roots = {scope.territory_id for scope in scopes if scope.unit_id is None}
    descendants = TerritoryLink.objects.filter(ancestor_id__in=subtree_roots).values("descendant_id")
    for territory_field, unit_field in places:
        for scope in scopes:
            if scope.unit_id and unit_field:
                condition |= models.Q(**{unit_field: scope.unit_id})
            elif scope.unit_id:
                condition |= models.Q(**{territory_field: scope.territory_id})
        if subtree_roots:
            condition |= models.Q(**{f"{territory_field}__in": descendants})
    return condition
