"""Granting and revoking roles, each within the granter's place (`roles.GRANTABLE_BY`). Every change is audited."""

from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.audit.services import record
from raqmana.territories.models import AdministrativeUnit, Territory

from .checking import Person, ancestors_of, assignments_changed, holding
from .models import RoleAssignment
from .registry import PERMISSIONS
from .roles import GRANTABLE_BY, PLACE_LEVELS, ROLE_PLACE, PlaceKind, Role
from .signals import role_granted

if TYPE_CHECKING:  # the project's user model, for its type only: access does not import accounts
    from raqmana.accounts.models import User


def place_of(
    role: str, *, territory: Territory | None = None, unit: AdministrativeUnit | None = None
) -> tuple[Territory | None, AdministrativeUnit | None]:
    """The territory and unit a role is held for, checked against the kind of place the role needs."""
    kind = ROLE_PLACE[Role(role)]
    if kind == PlaceKind.NATIONAL:
        if territory or unit:
            raise ValidationError(_("This role covers the whole country: give no place."), code="place_not_expected")
        return None, None
    if kind == PlaceKind.OFFICE:
        if unit is None:
            raise ValidationError(_("This role is held in a civil status office: choose one."), code="office_required")
        return unit.territory, unit
    if unit is not None or territory is None or territory.level not in PLACE_LEVELS[kind]:
        raise ValidationError(
            _("This role is held for a %(place)s: choose one.") % {"place": kind.label}, code="wrong_place"
        )
    return territory, None


def may_grant(granter: Person, role: str, territory: Territory | None, grantee: Person | None = None) -> bool:
    """Whether `granter` may give (or take back) `role` for `territory`: see GRANTABLE_BY.

    The granter must hold "access.role.grant", for a place that covers `territory`, through a role that appoints
    `role`; nobody grants a role to themselves.
    """
    if grantee is not None and grantee.pk == granter.pk:
        return False
    if not granter.is_active:
        return False
    if granter.is_superuser:
        return True
    for held in holding(granter, "access.role.grant"):
        if Role(role) not in GRANTABLE_BY.get(Role(held.role), ()):
            continue
        if held.territory_id is None or (
            territory is not None and held.territory_id in ancestors_of(granter, territory.pk)
        ):
            return True
    return False


@transaction.atomic
def grant_role(
    user: "User",
    role: str,
    *,
    by: "User | None",
    reason: str,
    territory: Territory | None = None,
    unit: AdministrativeUnit | None = None,
) -> RoleAssignment:
    territory, unit = place_of(role, territory=territory, unit=unit)
    if by is not None and not may_grant(by, role, territory, grantee=user):
        raise PermissionDenied(PERMISSIONS["access.role.grant"].refusal)
    if not reason.strip():
        raise ValidationError(_("Say why this role is granted."), code="reason_required")
    assignment = RoleAssignment(
        user=user, role=role, territory=territory, unit=unit, granted_by=by, grant_reason=reason
    )
    assignment.check_texts()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(_("This person already holds this role for this place."), code="duplicate_role") from None
    assignments_changed(user)
    record(
        actor=by,
        action="role.granted",
        target=assignment,
        reason=assignment.grant_reason,
        territory=territory,
        unit=unit,
        national=territory is None,
    )
    transaction.on_commit(partial(role_granted.send, sender=RoleAssignment, assignment=assignment))
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, by: "User | None", reason: str) -> RoleAssignment:
    if assignment.revoked_at is not None:
        raise ValidationError(_("This role was already revoked."), code="already_revoked")
    if by is not None and not may_grant(by, assignment.role, assignment.territory, grantee=assignment.user):
        raise PermissionDenied(_("You may not revoke this role."))
    if not reason.strip():
        raise ValidationError(_("Say why this role is revoked."), code="reason_required")
    reason = RoleAssignment.checked_text("revoke_reason", reason, error_key="reason")
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = by
    assignment.revoke_reason = reason
    assignment.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    assignments_changed(assignment.user)
    record(
        actor=by,
        action="role.revoked",
        target=assignment,
        reason=reason,
        territory=assignment.territory,
        unit=assignment.unit,
        national=assignment.territory_id is None,
    )
    return assignment
