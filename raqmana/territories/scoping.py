"""The one scoping mechanism: every read of scoped data goes through `ScopedQuerySet.visible_to(user)`.

A user's scopes come from their active role assignments. A scope is a place (a territory, or an office
inside one) or the whole country. A territory scope reaches its place and everything under it, following
the closure table, so a supervisor reads downward and never sideways or upward. An office scope reaches the
rows of that office; on rows that belong to no office, only those of the office's own territory (an office
of Casablanca's commune does not read its arrondissements').

A model opts in by naming, as class attributes, the lookup to its territory (`scope_territory_field`)
and, when its rows belong to one office, the lookup to that office (`scope_office_field`).
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Scope:
    territory_id: int | None
    office_id: int | None = None

    @property
    def is_national(self):
        return self.territory_id is None and self.office_id is None


def scopes_of(user, roles=None):
    """The places this user acts for, through any role or only `roles`; cached on the user for the request."""
    if not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault("_raqmana_scopes", {})
    key = frozenset(roles) if roles is not None else None
    if key not in cache:
        if user.is_superuser:
            cache[key] = frozenset({Scope(None)})
        else:
            assignments = user.role_assignments.active()
            if roles is not None:
                assignments = assignments.filter(role__in=roles)
            cache[key] = frozenset(
                Scope(territory_id, office_id)
                for territory_id, office_id in assignments.values_list("territory_id", "office_id")
            )
    return cache[key]


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, roles=None):
        """Rows of the places the user acts for; with `roles`, only through assignments of those roles (a mail
        registry agent of a commune does not read its civil status register)."""
        condition = self.scope_condition(
            user, roles, self.model.scope_territory_field, getattr(self.model, "scope_office_field", None)
        )
        return self if condition is None else self.filter(condition)

    def scope_condition(self, user, roles, territory_field, office_field=None):
        """The condition on rows placed by these lookups that the user's scopes reach; None when they reach every
        row (a national scope)."""
        from .models import TerritoryLink

        scopes = scopes_of(user, roles)
        if any(scope.is_national for scope in scopes):
            return None
        condition = models.Q(pk__in=[])
        subtree_roots = set()
        for scope in scopes:
            if scope.office_id and office_field:
                condition |= models.Q(**{office_field: scope.office_id})
            elif scope.office_id:
                condition |= models.Q(**{territory_field: scope.territory_id})
            else:
                subtree_roots.add(scope.territory_id)
        if subtree_roots:
            descendants = TerritoryLink.objects.filter(ancestor_id__in=subtree_roots).values("descendant_id")
            condition |= models.Q(**{f"{territory_field}__in": descendants})
        return condition
