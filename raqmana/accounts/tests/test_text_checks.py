"""Names, enterprises and the reasons for roles are checked as every text is: refused beside the field, what was
typed kept, and refused the same way by the services the admin and the e-ID sign-in go through."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from raqmana.access.models import RoleAssignment
from raqmana.access.roles import Role
from raqmana.access.services import grant_role, revoke_role
from raqmana.accounts.models import Enterprise, User
from raqmana.accounts.services.enterprises import register_enterprise
from raqmana.accounts.services.sign_up import register_citizen
from raqmana.territories.models import CivilStatusOffice, Territory

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
REORDERED = "Bennani\u202eTSET\u202c"  # prints "BennaniTEST"
VALID_ICE = "001537619000093"


def codes(refused):
    return {field: [error.code for error in errors] for field, errors in refused.error_dict.items()}


def test_signup_shows_the_refusal_beside_the_name_and_keeps_it(client):
    data = {"full_name": REORDERED, "contact": "amina@example.ma", "password1": PASSWORD, "password2": PASSWORD}
    page = client.post(reverse("accounts:signup"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert [error.code for error in page.context["form"].errors.as_data()["full_name"]] == ["bidi_control"]
    assert f'value="{REORDERED}"' in page.text and 'value="amina@example.ma"' in page.text
    assert not User.objects.exists()


def test_accounts_are_refused_a_hidden_character_however_they_are_opened():
    with pytest.raises(ValidationError) as refused:
        register_citizen(full_name="Amina\x00", email="amina@example.ma", password=PASSWORD)
    assert codes(refused.value) == {"full_name": ["control_character"]}
    with pytest.raises(ValidationError) as refused:  # the admin and the e-ID sign-in create users this way
        User.objects.create_user("driss@example.ma", PASSWORD, full_name="<b>Driss</b>")
    assert codes(refused.value) == {"full_name": ["markup"]}
    assert not User.objects.exists()


def test_the_enterprise_form_keeps_what_was_typed_and_the_service_refuses_by_field(client):
    client.force_login(UserFactory(), backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    data = {"ice": VALID_ICE, "legal_name": "Atlas SARL", "address": "12 bd Zerktouni\u202e",
            "commune": "Témara — تمارة · 04.501.01.07"}  # fmt: skip
    page = client.post(reverse("accounts:enterprise_register"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and list(page.context["form"].errors) == ["address"]
    assert 'value="12 bd Zerktouni\u202e"' in page.text and 'value="Atlas SARL"' in page.text

    temara = Territory.objects.get(code="04.501.01.07")
    with pytest.raises(ValidationError) as refused:
        register_enterprise(
            ice=VALID_ICE, legal_name="<script>Atlas", commune=temara, representative=UserFactory(), address="Rue\u200b"
        )
    assert codes(refused.value) == {"legal_name": ["markup"], "address": ["invisible_character"]}
    assert not Enterprise.objects.exists()


def test_the_reasons_for_granting_and_revoking_a_role_are_checked():
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    person = UserFactory()
    with pytest.raises(ValidationError) as refused:
        grant_role(person, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="Nomination\u2067")
    assert codes(refused.value) == {"grant_reason": ["bidi_control"]}
    assignment = grant_role(person, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="Nomination")
    with pytest.raises(ValidationError) as refused:
        revoke_role(assignment, by=None, reason="Départ\x1b")
    assert codes(refused.value) == {"reason": ["control_character"]}
    assert RoleAssignment.objects.get().revoked_at is None
