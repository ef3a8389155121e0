import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from raqmana.accounts.constants import RepresentativeCapacity
from raqmana.accounts.services import add_representative, register_enterprise
from raqmana.accounts.validators import normalise_ice
from raqmana.territories.models import Territory

from .factories import UserFactory

pytestmark = pytest.mark.django_db
VALID_ICE = "001537619000093"


@pytest.fixture
def temara():
    return Territory.objects.get(code="04.501.01.07")


@pytest.mark.parametrize("typed", ["001537619000093", "001 537 619 000 093", " 001537619000093 "])
def test_valid_ice_numbers_are_compacted(typed):
    assert normalise_ice(typed) == VALID_ICE


@pytest.mark.parametrize("typed", ["001537619000094", "00153761900009", "00153761900009A"])
def test_invalid_ice_numbers_are_refused_with_a_translated_message(typed):
    with translation.override("fr"):
        with pytest.raises(ValidationError) as error:
            normalise_ice(typed)
        assert "ICE" in error.value.messages[0] and "chiffres" in error.value.messages[0]


def test_registering_makes_the_registrant_legal_representative(temara):
    person = UserFactory()
    enterprise = register_enterprise(ice=VALID_ICE, legal_name="Atlas SARL", commune=temara, representative=person)
    representation = enterprise.representatives.get()
    assert representation.user == person
    assert representation.capacity == RepresentativeCapacity.LEGAL_REPRESENTATIVE
    with pytest.raises(ValidationError) as error:
        register_enterprise(ice=VALID_ICE, legal_name="Copy", commune=temara, representative=UserFactory())
    assert error.value.code == "ice_taken"


def test_several_representatives_added_only_by_a_representative(temara):
    founder, partner, stranger = UserFactory(), UserFactory(), UserFactory()
    enterprise = register_enterprise(ice=VALID_ICE, legal_name="Atlas SARL", commune=temara, representative=founder)
    add_representative(enterprise, partner, capacity=RepresentativeCapacity.AUTHORISED_AGENT, by=founder)
    assert enterprise.representatives.active().count() == 2
    with pytest.raises(PermissionDenied):
        add_representative(enterprise, UserFactory(), capacity=RepresentativeCapacity.AUTHORISED_AGENT, by=stranger)


def test_enterprise_form_keeps_what_was_typed_when_the_ice_is_wrong(client, temara):
    client.force_login(UserFactory(), backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    data = {"ice": "001537619000094", "legal_name": "Atlas SARL", "commune": "Témara — تمارة · 04.501.01.07"}
    response = client.post(reverse("accounts:enterprise_register"), data, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert 'value="Atlas SARL"' in response.text
    assert 'value="001537619000094"' in response.text
    assert "ICE" in response.text


def test_enterprise_form_registers_with_a_suggested_commune(client, temara):
    person = UserFactory()
    client.force_login(person, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    suggestions = client.get(reverse("core:commune_suggestions"), {"commune": "Témara"}).text
    assert "04.501.01.07" in suggestions
    data = {"ice": VALID_ICE, "legal_name": "Atlas SARL", "commune": "Témara — تمارة · 04.501.01.07"}
    response = client.post(reverse("accounts:enterprise_register"), data)
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Atlas SARL" in page.text and person.full_name in page.text
    assert client.get(reverse("core:home")).text.count("Atlas SARL") == 1
