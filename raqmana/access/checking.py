"""Whether a person may do something at a place: `require(user, "civil_status.act.sign", at=office)` before a write,
`has_permission` to decide what a page offers, `units_where` for the queues of one's counters.

A person's active assignments, and whether they act for each organisation, are kept between their requests
(`kernel.personal_cache`, under the person's version, drawn anew by every grant, revocation or membership change) and
put on the user object Django builds for a request (through any lazy wrapper the middleware put around it), with the
ancestors of the places asked about: every check after that is made in memory.
"""

from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from raqmana.kernel import personal_cache, reference_data
from raqmana.territories.models import AdministrativeUnit, Territory, TerritoryLink

from .models import RoleAssignment
from .registry import ORGANISATIONS, PERMISSIONS
from .roles import ROLE_PERMISSIONS

NOT_ALLOWED_HERE = _("You may not do this here.")


class Person(Protocol):
    """Whoever a check is about, as access sees them: the signed-in user (the project's user model, which access does
    not import) or an anonymous visitor. Read only: access never changes a person, and an anonymous visitor's
    flags are constants (`Literal[False]`), which a settable member would refuse."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...


_ANCESTORS = "_raqmana_ancestors"


def assignments_of(user: Person) -> tuple[RoleAssignment, ...]:
    """The user's active role assignments with their places, read once per version of the person (again after a
    grant or a revocation made in this process meanwhile)."""
    if not user.is_authenticated:
        return ()
    # The places' names are shown with the roles: a new version of the territories reads them again.
    name = f"access.assignments:{reference_data.version('territories')}"
    return personal_cache.held_for(user, name, lambda: _active_assignments(user))


def _active_assignments(user: Person) -> tuple[RoleAssignment, ...]:
    return tuple(RoleAssignment.objects.active().filter(user_id=user.pk).select_related("territory", "unit__territory"))


def acts_for(user: Person, organisation: str) -> bool:
    """Whether the user acts for the registered `organisation` (`acts_for_an_organisation`), asked once per version
    of the person (again after a change made in this process meanwhile): the menu, the page and the second-factor
    check each ask it. The app that registered the organisation calls `personal_cache.person_changed` when one's
    members change."""
    return personal_cache.held_for(
        user, f"access.organisation:{organisation}", lambda: ORGANISATIONS[organisation].test(user)
    )


def assignments_changed(user: Person) -> None:
    """After a grant or a revocation for `user`: their next requests, and every user object of this process, read
    their assignments again (the one given here also forgets what it derived from them)."""
    personal_cache.person_changed(user.pk)
    if hasattr(user, "_raqmana_is_agent"):
        delattr(user, "_raqmana_is_agent")


def declared(permission: str) -> str:
    if permission not in PERMISSIONS:
        raise ValueError(f"Permission {permission} is not declared.")
    return permission


def holding(user: Person, permission: str) -> list[RoleAssignment]:
    """The user's active assignments whose role gives `permission`."""
    declared(permission)
    return [
        assignment for assignment in assignments_of(user) if permission in ROLE_PERMISSIONS.get(assignment.role, ())
    ]


def has_permission(user: Person, permission: str, at: AdministrativeUnit | Territory | None = None) -> bool:
    """Whether the user may use `permission` at `at` (a unit or a territory), or somewhere when `at` is None.

    A role held at a unit acts at that unit (and for its territory's rows that belong to no unit); a role held for a
    territory acts there and everywhere under it; a national role everywhere. Superusers may do everything but what
    is reserved to a unit's staff (`Permission.superusers`); an inactive account nothing.
    """
    declared(permission)
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser and PERMISSIONS[permission].superusers:
        return True
    assignments = holding(user, permission)
    if at is None:
        return bool(assignments)
    return any(_reaches(user, assignment, at) for assignment in assignments)


def require(user: Person, permission: str, at: AdministrativeUnit | Territory | None = None) -> None:
    """PermissionDenied, with the permission's own explanation, unless the user may use it at `at`."""
    if not has_permission(user, permission, at):
        raise PermissionDenied(PERMISSIONS[permission].refusal or NOT_ALLOWED_HERE)


def units_where(user: Person, permission: str) -> list[AdministrativeUnit]:
    """The units where the user holds `permission` through a role held at the unit itself (their counters)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return [assignment.unit for assignment in holding(user, permission) if assignment.unit_id]


def acts_for_an_administration(user: Person) -> bool:
    """Whether the user holds a role, or acts for an organisation an app registered (`acts_for_an_organisation`)."""
    return bool(assignments_of(user)) or any(acts_for(user, code) for code in ORGANISATIONS)


def _reaches(user: Person, assignment: RoleAssignment, place: AdministrativeUnit | Territory) -> bool:
    if isinstance(place, AdministrativeUnit):
        if assignment.unit_id:
            return assignment.unit_id == place.pk
        territory_id = place.territory_id
    elif isinstance(place, Territory):
        if assignment.unit_id:
            return assignment.unit.territory_id == place.pk
        territory_id = place.pk
    else:
        raise TypeError(f"A permission is used at a unit or a territory, not at {type(place).__name__}.")
    return assignment.territory_id is None or assignment.territory_id in ancestors_of(user, territory_id)


def ancestors_of(user: Person, territory_id: int) -> frozenset[int]:
    """The territory and every territory above it (the closure table), cached with the assignments."""
    cache = getattr(user, _ANCESTORS, None)
    if cache is None:
        cache = {}
        setattr(user, _ANCESTORS, cache)
    if territory_id not in cache:
        cache[territory_id] = frozenset(
            TerritoryLink.objects.filter(descendant_id=territory_id).values_list("ancestor_id", flat=True)
        )
    return cache[territory_id]
