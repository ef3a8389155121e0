"""Reads about people: the account a session is signed in as, the enterprises they represent and the invitations
waiting for them."""

import hashlib
from functools import cache

from django.conf import settings

from raqmana.kernel import personal_cache, reference_data

from .models import EnterpriseRepresentative, User


@cache
def _account_entry() -> str:
    # The kept session hash is worked out with SECRET_KEY: a new key names a new entry.
    return "accounts.account:" + hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:12]


def signed_in_account(user_id: int) -> User | None:
    """The account a session is signed in as (active or not: the authentication backend decides), kept between the
    person's requests (`kernel.personal_cache`) without its secrets (`User.without_secrets`). The user object holds
    the version read, for everything else the request asks of the person."""
    version = personal_cache.read_version(user_id)
    user = personal_cache.remembered(user_id, version, _account_entry(), lambda: _account_to_keep(user_id))
    if user is not None:
        personal_cache.hold(user, version)
    return user


def _account_to_keep(user_id: int) -> User | None:
    user = User.objects.filter(pk=user_id).first()
    return user.without_secrets() if user is not None else None


def representations_and_invitations(
    user: User,
) -> tuple[list[EnterpriseRepresentative], list[EnterpriseRepresentative]]:
    """The enterprises the person represents, and the invitations to represent one that wait for their answer (read
    once per version of the person: the person's home shows both)."""
    name = f"accounts.representations:{reference_data.version('territories')}"  # with the enterprises' communes
    return personal_cache.remembered_for(user, name, lambda: _representations(user))


def _representations(user: User) -> tuple[list[EnterpriseRepresentative], list[EnterpriseRepresentative]]:
    standing = (
        EnterpriseRepresentative.objects.filter(user_id=user.pk, revoked_at__isnull=True)
        .select_related("enterprise__commune", "added_by")
        .defer("added_by__password", "added_by__enrolment_code_hash")  # kept in the cache: no secrets
    )
    representations: list[EnterpriseRepresentative] = []
    invitations: list[EnterpriseRepresentative] = []
    for representation in standing.order_by("pk"):
        (invitations if representation.accepted_at is None else representations).append(representation)
    return representations, invitations
