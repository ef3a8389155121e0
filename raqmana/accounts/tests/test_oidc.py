import pytest
from django.test import override_settings

from raqmana.accounts.models import User
from raqmana.accounts.oidc import NationalEIdBackend

from .factories import UserFactory

pytestmark = pytest.mark.django_db

CLAIMS = {
    "sub": "MA-EID-0001",
    "email": "amina@example.ma",
    "email_verified": True,
    "given_name": "Amina",
    "family_name": "Ouazzani",
}
OIDC = {
    "OIDC_RP_CLIENT_ID": "raqmana",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_TOKEN_ENDPOINT": "https://eid.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://eid.example/userinfo",
    "OIDC_RP_SIGN_ALGO": "HS256",
    "OIDC_NATIONAL_ID_CLAIM": "sub",
}


@pytest.fixture
def backend():
    with override_settings(**OIDC):
        yield NationalEIdBackend()


def test_unknown_person_gets_a_citizen_account(backend):
    assert backend.verify_claims(CLAIMS)
    assert not backend.filter_users_by_claims(CLAIMS).exists()
    user = backend.create_user(CLAIMS)
    assert (user.national_id, user.email, user.full_name) == ("MA-EID-0001", "amina@example.ma", "Amina Ouazzani")
    assert not user.has_usable_password()


def test_known_person_is_found_by_national_id_even_with_another_email(backend):
    person = UserFactory(national_id="MA-EID-0001", email="old@example.ma")
    assert list(backend.filter_users_by_claims(CLAIMS)) == [person]


def test_existing_local_account_is_linked_by_verified_email(backend):
    person = UserFactory(email="amina@example.ma")
    assert list(backend.filter_users_by_claims(CLAIMS)) == [person]
    backend.update_user(person, CLAIMS)
    assert User.objects.get(pk=person.pk).national_id == "MA-EID-0001"


def test_unverified_email_neither_links_nor_creates(backend):
    UserFactory(email="amina@example.ma")
    claims = {**CLAIMS, "email_verified": False, "sub": "MA-EID-0002"}
    assert not backend.filter_users_by_claims(claims).exists()
    assert not backend.verify_claims(claims)


def test_verified_phone_is_enough(backend):
    claims = {"sub": "MA-EID-0003", "phone_number": "0612345678", "phone_number_verified": True, "name": "Driss"}
    assert backend.verify_claims(claims)
    assert backend.create_user(claims).phone == "+212612345678"
