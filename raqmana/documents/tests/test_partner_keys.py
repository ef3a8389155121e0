"""Verification partners (banks, consulates): an API key of their own, hashed at rest, revocable, with a limit of its
own in place of the one each address has."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from raqmana.accounts.models import User
from raqmana.audit.models import AuditEvent
from raqmana.documents import services
from raqmana.documents.models import VerificationPartner

pytestmark = pytest.mark.django_db

UNKNOWN_CODE = "/api/documents/verify/ABCDEFGHJK"  # no document has it: each answer is a 404, counted all the same


@pytest.fixture
def dgct():
    return User.objects.create_superuser("dgct@example.ma", "a long password 1", full_name="DGCT")


@pytest.fixture
def bank_key(dgct):
    return services.create_verification_partner(VerificationPartner(name="Banque Populaire", rate="3/m"), by=dgct)


def verify(client, key=None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get(UNKNOWN_CODE, headers=headers)


@override_settings(RAQMANA_VERIFY_RATE="2/m")
def test_a_partner_key_has_its_own_limit_beside_its_addresss(client, bank_key):
    assert [verify(client, bank_key).status_code for _ in range(3)] == [404, 404, 404]
    assert verify(client, bank_key).status_code == 429
    # The same address without the key still has the public limit, untouched by the partner's requests.
    assert [verify(client).status_code for _ in range(3)] == [404, 404, 429]


@override_settings(RAQMANA_VERIFY_RATE="2/m")
def test_without_a_key_each_address_has_the_public_limit(client):
    assert [verify(client).status_code for _ in range(3)] == [404, 404, 429]


def test_a_revoked_key_is_refused_with_a_clear_message(client, bank_key, dgct):
    services.revoke_verification_partner(VerificationPartner.objects.get(), by=dgct)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        answer = verify(client, bank_key)
    assert answer.status_code == 401 and answer.json()["detail"] == "This API key was revoked."


@pytest.mark.parametrize(
    "wrong", ["rqv_00000000_secret", "rqm_abcd1234_secret", "nonsense", "rqv__", "rqv_{prefix}_not-the-secret"]
)
def test_a_wrong_key_is_refused(client, bank_key, wrong):
    client.cookies["django_language"] = "en"
    answer = verify(client, wrong.format(prefix=bank_key.split("_")[1]))
    assert answer.status_code == 401
    assert answer.json()["detail"] == "This API key is not a verification partner's key."


def test_the_key_is_kept_hashed_and_its_creation_and_revocation_are_audited(bank_key, dgct):
    partner = VerificationPartner.objects.get()
    assert bank_key.split("_", 2)[2] not in (partner.key_hash, partner.key_prefix) and len(partner.key_hash) == 64
    services.revoke_verification_partner(partner, by=dgct)
    actions = list(AuditEvent.objects.filter(target_id=str(partner.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["verification_partner.created", "verification_partner.revoked"]


def test_a_rate_must_read_as_a_number_and_a_period(dgct):
    with pytest.raises(ValidationError):
        services.create_verification_partner(VerificationPartner(name="Consulat", rate="many"), by=dgct)


def test_the_admin_shows_the_key_once_and_revokes_it(verified_client, dgct):
    admin = verified_client(dgct)
    admin.cookies["django_language"] = "en"
    added = admin.post(reverse("admin:documents_verificationpartner_add"), {"name": "Consulat", "rate": "100/m"})
    assert added.status_code == 302
    partner = VerificationPartner.objects.get()
    key = re.search(rf"rqv_{partner.key_prefix}_[\w-]+", admin.get(added.url).text).group(0)
    assert key not in admin.get(added.url).text  # shown once
    assert verify(admin, key).status_code == 404
    admin.post(
        reverse("admin:documents_verificationpartner_changelist"),
        {"action": "revoke_keys", "_selected_action": [partner.pk]},
    )
    assert verify(admin, key).status_code == 401
