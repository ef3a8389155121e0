"""National e-ID sign-in through OpenID Connect (mozilla-django-oidc), enabled by OIDC_* environment variables.

A person is recognised by the provider's stable identifier (the claim named by OIDC_NATIONAL_ID_CLAIM). A
first e-ID sign-in creates a citizen account whose email and phone count as proved (User.has_verified_contact),
unless the verified email or phone already belongs to a local account: that sign-in is refused rather than
linked, since a local account may not have proved them (those that did record which and when, for a link made
from inside the account, not built yet). Agents still give their TOTP code afterwards.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from raqmana.audit.services import record

from .backends import active_account
from .models import User
from .validators import normalise_phone


def national_id_of(claims):
    return str(claims.get(getattr(settings, "OIDC_NATIONAL_ID_CLAIM", "sub")) or "") or None


def full_name_of(claims):
    named = claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
    return named or national_id_of(claims)


def verified_email(claims):
    return claims["email"].strip().lower() if claims.get("email") and claims.get("email_verified") else None


def verified_phone(claims):
    return normalise_phone(claims["phone_number"]) if claims.get("phone_number_verified") else None


def clashes_with_local_account(claims):
    """Whether the e-ID's email or phone is already used by an account that is not this person's."""
    clash = Q(pk__in=[])
    if verified_email(claims):
        clash |= Q(email=verified_email(claims))
    if verified_phone(claims):
        clash |= Q(phone=verified_phone(claims))
    return User.objects.filter(clash).exclude(national_id=national_id_of(claims)).exists()


class NationalEIdBackend(OIDCAuthenticationBackend):
    def get_user(self, user_id):
        return active_account(user_id)

    def filter_users_by_claims(self, claims):
        national_id = national_id_of(claims)
        return User.objects.filter(national_id=national_id) if national_id else User.objects.none()

    def verify_claims(self, claims):
        if not national_id_of(claims) or not (verified_email(claims) or verified_phone(claims)):
            return False
        try:
            User.checked_text("full_name", full_name_of(claims))
        except ValidationError:
            return False  # a name with a control character or markup: the sign-in fails like any refused claim
        return User.objects.filter(national_id=national_id_of(claims)).exists() or not clashes_with_local_account(
            claims
        )

    def create_user(self, claims):
        now = timezone.now()
        user = User.objects.create_user(
            verified_email(claims),
            None,
            phone=verified_phone(claims),
            full_name=full_name_of(claims),
            national_id=national_id_of(claims),
            email_verified_at=now if verified_email(claims) else None,
            phone_verified_at=now if verified_phone(claims) else None,
        )
        record(actor=user, action="account.registered_by_eid", target=user)
        return user

    def update_user(self, user, claims):
        return user
