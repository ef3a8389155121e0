"""Writes about people: registration, enterprises, roles and second factors. Every change is audited."""

import secrets
from datetime import timedelta
from functools import partial

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.audit.services import record
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

from .backends import find_user_by_identifier
from .constants import GRANTABLE_BY, PLACE_LEVELS, ROLE_PLACE, PlaceKind, RepresentativeCapacity, Role
from .models import Enterprise, EnterpriseRepresentative, RoleAssignment, User
from .tasks import notify_role_granted
from .validators import normalise_ice, normalise_phone


@transaction.atomic
def register_citizen(*, full_name, password, email=None, phone=None, preferred_language="ar"):
    """Open a citizen account identified by an email address, a phone number or both."""
    if not email and not phone:
        raise ValidationError(_("Give an email address or a phone number."), code="no_identifier")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                phone=normalise_phone(phone) if phone else None,
                full_name=full_name,
                preferred_language=preferred_language,
            )
    except IntegrityError:  # the same identifier registered a moment earlier
        raise ValidationError(_("An account already uses this email address or phone number.")) from None
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


def may_grant(granter, role, territory, grantee=None):
    """Whether `granter` may give (or take back) `role` for `territory`: see GRANTABLE_BY.

    The granter must hold, for a place that covers `territory`, a role that appoints `role`; nobody
    grants a role to themselves.
    """
    if grantee is not None and grantee.pk == granter.pk:
        return False
    if granter.is_superuser:
        return True
    for held in granter.role_assignments.active():
        if Role(role) not in GRANTABLE_BY.get(Role(held.role), ()):
            continue
        if held.territory_id is None or (
            territory is not None and territory.ancestor_links.filter(ancestor_id=held.territory_id).exists()
        ):
            return True
    return False


@transaction.atomic
def grant_role(user, role, *, by, reason, territory=None, office=None):
    territory, office = place_of(role, territory=territory, office=office)
    if by is not None and not may_grant(by, role, territory, grantee=user):
        raise PermissionDenied(_("You may not grant this role for this place."))
    if not reason.strip():
        raise ValidationError(_("Say why this role is granted."), code="reason_required")
    assignment = RoleAssignment(
        user=user, role=role, territory=territory, office=office, granted_by=by, grant_reason=reason
    )
    assignment.check_texts()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(_("This person already holds this role for this place."), code="duplicate_role") from None
    record(
        actor=by,
        action="role.granted",
        target=assignment,
        reason=assignment.grant_reason,
        territory=territory,
        office=office,
    )
    transaction.on_commit(partial(notify_role_granted.enqueue, assignment.pk))
    return assignment


@transaction.atomic
def revoke_role(assignment, *, by, reason):
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
    record(
        actor=by,
        action="role.revoked",
        target=assignment,
        reason=reason,
        territory=assignment.territory,
        office=assignment.office,
    )
    return assignment


@transaction.atomic
def register_enterprise(*, ice, legal_name, commune, representative, trade_register_number="", address=""):
    """Register a legal person by its ICE; the person registering it becomes its legal representative."""
    ice = normalise_ice(ice)
    if not isinstance(commune, Territory) or commune.level != Level.COMMUNE:
        raise ValidationError(_("Choose the commune of the registered office."), code="commune_required")
    enterprise = Enterprise(
        ice=ice, legal_name=legal_name, commune=commune, trade_register_number=trade_register_number, address=address
    )
    enterprise.check_texts()
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        raise ValidationError(
            _("An enterprise with this ICE is already registered: ask one of its representatives to add you."),
            code="ice_taken",
        ) from None
    EnterpriseRepresentative.objects.create(
        enterprise=enterprise,
        user=representative,
        capacity=RepresentativeCapacity.LEGAL_REPRESENTATIVE,
        added_by=representative,
        accepted_at=timezone.now(),
    )
    record(actor=representative, action="enterprise.registered", target=enterprise, territory=enterprise.commune)
    return enterprise


@transaction.atomic
def invite_representative(enterprise, identifier, *, capacity, by):
    """Invite the holder of an account to represent the enterprise; they become one when they accept.

    Returns nothing either way, so that the inviter learns neither whether the account exists nor its name.
    """
    if not enterprise.representatives.active().filter(user=by).exists():
        raise PermissionDenied(_("Only a representative of this enterprise may add another."))
    person = find_user_by_identifier(identifier)
    if person is None:
        return
    try:
        with transaction.atomic():
            invitation = EnterpriseRepresentative.objects.create(
                enterprise=enterprise, user=person, capacity=capacity, added_by=by
            )
    except IntegrityError:  # already invited or representing
        return
    record(actor=by, action="enterprise.representative_invited", target=invitation, territory=enterprise.commune)


@transaction.atomic
def answer_invitation(invitation, *, by, accept):
    if invitation.user_id != by.pk or invitation.accepted_at or invitation.revoked_at:
        raise PermissionDenied(_("This invitation is not yours to answer."))
    if accept:
        invitation.accepted_at = timezone.now()
    else:
        invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "revoked_at"])
    action = "enterprise.representative_added" if accept else "enterprise.invitation_declined"
    record(actor=by, action=action, target=invitation, territory=invitation.enterprise.commune)
    return invitation


ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
ENROLMENT_CODE_VALIDITY = timedelta(days=7)


@transaction.atomic
def issue_enrolment_code(user, *, by=None):
    """A one-time code that lets an agent enrol an authenticator app; without it a password alone cannot.

    Only its hash is kept. It is handed over by email when a role is granted, or shown once to the
    administrator who issued it. Issuing one also removes the person's authenticators, whose keys must never
    work again (a lost phone); the audit trail keeps the event.
    """
    code = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(10))
    user.enrolment_code_hash = make_password(code)
    user.enrolment_code_expires_at = timezone.now() + ENROLMENT_CODE_VALIDITY
    user.save(update_fields=["enrolment_code_hash", "enrolment_code_expires_at"])
    TOTPDevice.objects.filter(user=user).delete()
    record(actor=by, action="two_factor.enrolment_code_issued", target=user)
    return f"{code[:5]}-{code[5:]}"


def enrolment_code_matches(user, typed):
    typed = typed.replace("-", "").replace(" ", "").upper()
    return bool(
        user.enrolment_code_hash
        and user.enrolment_code_expires_at
        and user.enrolment_code_expires_at > timezone.now()
        and check_password(typed, user.enrolment_code_hash)
    )


def pending_totp_device(user):
    """The authenticator an agent is enrolling: created unconfirmed once, shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_totp_device(device, token):
    """Enrolment ends when the first code from the app checks; the enrolment code is then spent."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user = device.user
    user.enrolment_code_hash, user.enrolment_code_expires_at = "", None
    user.save(update_fields=["enrolment_code_hash", "enrolment_code_expires_at"])
    record(actor=user, action="two_factor.enrolled", target=user)
    return True


def set_preferred_language(user, language):
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
