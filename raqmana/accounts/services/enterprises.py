"""Enterprises (legal persons, by their ICE) and the people who represent them. Every change is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.accounts.backends import find_user_by_identifier
from raqmana.accounts.constants import RepresentativeCapacity
from raqmana.accounts.models import Enterprise, EnterpriseRepresentative, User
from raqmana.accounts.validators import normalise_ice
from raqmana.audit.services import record
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory


@transaction.atomic
def register_enterprise(
    *,
    ice: str,
    legal_name: str,
    commune: Territory | None,
    representative: User,
    trade_register_number: str = "",
    address: str = "",
) -> Enterprise:
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
def invite_representative(enterprise: Enterprise, identifier: str, *, capacity: str, by: User) -> None:
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
def answer_invitation(invitation: EnterpriseRepresentative, *, by: User, accept: bool) -> EnterpriseRepresentative:
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
