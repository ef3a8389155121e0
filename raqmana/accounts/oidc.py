"""National e-ID sign-in through OpenID Connect (mozilla-django-oidc), enabled by OIDC_* environment variables.

People are matched by the provider's stable subject (or the claim named by OIDC_NATIONAL_ID_CLAIM), then by
verified email; an unknown person gets a citizen account. Agents still give their TOTP code afterwards.
"""

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from raqmana.audit.services import record

from .models import User
from .validators import normalise_phone


def national_id_of(claims):
    return str(claims.get(getattr(settings, "OIDC_NATIONAL_ID_CLAIM", "sub")) or "") or None


def full_name_of(claims):
    return claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")])) or ""


def verified_email(claims):
    return claims.get("email") if claims.get("email_verified") else None


def verified_phone(claims):
    return normalise_phone(claims["phone_number"]) if claims.get("phone_number_verified") else None


class NationalEIdBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        national_id = national_id_of(claims)
        if national_id:
            users = User.objects.filter(national_id=national_id)
            if users.exists():
                return users
        email = verified_email(claims)
        if email:
            return User.objects.filter(email__iexact=email, national_id__isnull=True)
        return User.objects.none()

    def verify_claims(self, claims):
        return bool(national_id_of(claims) and (verified_email(claims) or verified_phone(claims)))

    def create_user(self, claims):
        user = User.objects.create_user(
            verified_email(claims),
            None,
            phone=verified_phone(claims),
            full_name=full_name_of(claims),
            national_id=national_id_of(claims),
        )
        record(actor=user, action="account.registered_by_eid", target=user)
        return user

    def update_user(self, user, claims):
        if not user.national_id:
            user.national_id = national_id_of(claims)
            user.save(update_fields=["national_id"])
        return user
