"""Writes about people: registration, enterprises, roles and second factors. Every change is audited."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.audit.services import record
from raqmana.territories.models import Territory

from .constants import PLACE_LEVELS, ROLE_PLACE, PlaceKind, RepresentativeCapacity, Role
from .models import Enterprise, EnterpriseRepresentative, RoleAssignment, User
from .tasks import notify_role_granted
from .validators import normalise_ice, normalise_phone

PLACE_WIDTH = [PlaceKind.OFFICE, PlaceKind.COMMUNE, PlaceKind.PROVINCE, PlaceKind.REGION, PlaceKind.NATIONAL]


@transaction.atomic
def register_citizen(*, full_name, password, email=None, phone=None, preferred_language="ar"):
    """Open a citizen account identified by an email address, a phone number or both."""
    if not email and not phone:
        raise ValidationError(_("Give an email address or a phone number."), code="no_identifier")
    user = User.objects.create_user(
        email,
        password,
        phone=normalise_phone(phone) if phone else None,
        full_name=full_name,
        preferred_language=preferred_language,
    )
    record(actor=user, action="account.registered", target=user)
    return user


def place_of(role, *, territory=None, office=None):
    """The territory and office a role is held for, checked against the kind of place the role needs."""
    kind = ROLE_PLACE[Role(role)]
    if kind == PlaceKind.NATIONAL:
        if territory or office:
            raise ValidationError(_("This role covers the whole country: give no place."), code="place_not_expected")
        return None, None
    if kind == PlaceKind.OFFICE:
        if office is None:
            raise ValidationError(_("This role is held in a civil status office: choose one."), code="office_required")
        return office.territory, office
    if office is not None or territory is None or territory.level not in PLACE_LEVELS[kind]:
        raise ValidationError(
            _("This role is held for a %(place)s: choose one.") % {"place": kind.label}, code="wrong_place"
        )
    return territory, None


def may_grant(granter, role, territory):
    """A role is granted by the DGCT, or by a holder of a wider role whose place covers the role's place.

    A commune president also appoints the commune's own agents (mail registry, permits) but not a president.
    """
    if granter.is_superuser:
        return True
    wanted = PLACE_WIDTH.index(ROLE_PLACE[Role(role)])
    for held in granter.role_assignments.active():
        held_width = PLACE_WIDTH.index(ROLE_PLACE[Role(held.role)])
        covers = held.territory_id is None or (
            territory is not None and territory.ancestor_links.filter(ancestor_id=held.territory_id).exists()
        )
        president_appoints = held.role == Role.COMMUNE_PRESIDENT and role != Role.COMMUNE_PRESIDENT
        if covers and (held_width > wanted or (president_appoints and held_width == wanted)):
            return True
    return False


@transaction.atomic
def grant_role(user, role, *, by, reason, territory=None, office=None):
    territory, office = place_of(role, territory=territory, office=office)
    if by is not None and not may_grant(by, role, territory):
        raise PermissionDenied(_("You may not grant this role for this place."))
    if not reason.strip():
        raise ValidationError(_("Say why this role is granted."), code="reason_required")
    existing = RoleAssignment.objects.active().filter(user=user, role=role, territory=territory, office=office)
    if existing.exists():
        raise ValidationError(_("This person already holds this role for this place."), code="duplicate_role")
    assignment = RoleAssignment.objects.create(
        user=user, role=role, territory=territory, office=office, granted_by=by, grant_reason=reason
    )
    record(actor=by, action="role.granted", target=assignment, reason=reason, territory=territory)
    transaction.on_commit(partial(notify_role_granted.enqueue, assignment.pk))
    return assignment


@transaction.atomic
def revoke_role(assignment, *, by, reason):
    if assignment.revoked_at is not None:
        raise ValidationError(_("This role was already revoked."), code="already_revoked")
    if by is not None and not may_grant(by, assignment.role, assignment.territory):
        raise PermissionDenied(_("You may not revoke this role."))
    if not reason.strip():
        raise ValidationError(_("Say why this role is revoked."), code="reason_required")
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = by
    assignment.revoke_reason = reason
    assignment.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record(actor=by, action="role.revoked", target=assignment, reason=reason, territory=assignment.territory)
    return assignment


@transaction.atomic
def register_enterprise(*, ice, legal_name, commune, representative, trade_register_number="", address=""):
    """Register a legal person by its ICE; the person registering it becomes its legal representative."""
    ice = normalise_ice(ice)
    if Enterprise.objects.filter(ice=ice).exists():
        raise ValidationError(
            _("An enterprise with this ICE is already registered: ask one of its representatives to add you."),
            code="ice_taken",
        )
    if not isinstance(commune, Territory) or commune.level != "commune":
        raise ValidationError(_("Choose the commune of the registered office."), code="commune_required")
    enterprise = Enterprise.objects.create(
        ice=ice,
        legal_name=legal_name,
        commune=commune,
        trade_register_number=trade_register_number,
        address=address,
    )
    EnterpriseRepresentative.objects.create(
        enterprise=enterprise,
        user=representative,
        capacity=RepresentativeCapacity.LEGAL_REPRESENTATIVE,
        added_by=representative,
    )
    record(actor=representative, action="enterprise.registered", target=enterprise, territory=commune)
    return enterprise


@transaction.atomic
def add_representative(enterprise, user, *, capacity, by):
    if not enterprise.representatives.active().filter(user=by).exists():
        raise PermissionDenied(_("Only a representative of this enterprise may add another."))
    if enterprise.representatives.active().filter(user=user).exists():
        raise ValidationError(_("This person already represents the enterprise."), code="already_representative")
    representation = EnterpriseRepresentative.objects.create(
        enterprise=enterprise, user=user, capacity=capacity, added_by=by
    )
    record(actor=by, action="enterprise.representative_added", target=representation, territory=enterprise.commune)
    return representation


def pending_totp_device(user):
    """The authenticator an agent is enrolling: created unconfirmed once, shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_totp_device(device, token):
    """Enrolment ends when the first code from the app checks; returns whether it did."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor=device.user, action="two_factor.enrolled", target=device.user)
    return True


def set_preferred_language(user, language):
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
