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
    assert backend.verify_claims(CLAIMS)


def test_a_local_account_with_the_same_email_is_never_taken_over(backend):
    """Local accounts do not prove their email: linking one to an e-ID would hand it to whoever opened it."""
    squatter = UserFactory(email="amina@example.ma")
    assert not backend.filter_users_by_claims(CLAIMS).exists()
    assert not backend.verify_claims(CLAIMS)
    assert User.objects.get(pk=squatter.pk).national_id is None


def test_a_local_account_with_the_same_phone_is_never_taken_over(backend):
    UserFactory(email=None, phone="0612345678")
    claims = {"sub": "MA-EID-0004", "phone_number": "+212612345678", "phone_number_verified": True}
    assert not backend.verify_claims(claims)


def test_unverified_contacts_are_not_enough(backend):
    claims = {**CLAIMS, "email_verified": False, "sub": "MA-EID-0002"}
    assert not backend.verify_claims(claims)


def test_verified_phone_is_enough_and_a_name_is_not_required(backend):
    claims = {"sub": "MA-EID-0003", "phone_number": "0612345678", "phone_number_verified": True}
    assert backend.verify_claims(claims)
    user = backend.create_user(claims)
    assert (user.phone, user.email, user.full_name) == ("+212612345678", None, "MA-EID-0003")


def test_a_name_with_a_bidi_control_is_refused_like_any_bad_claim(backend):
    assert not backend.verify_claims({**CLAIMS, "family_name": "Ouazzani\u202eTSET"})
    assert not User.objects.exists()
