import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import translation

from raqmana.accounts.constants import RepresentativeCapacity
from raqmana.accounts.models import EnterpriseRepresentative
from raqmana.accounts.services.enterprises import answer_invitation, invite_representative, register_enterprise
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


def test_a_representative_invites_another_who_must_accept(temara):
    founder, partner, stranger = UserFactory(), UserFactory(phone="0661234567"), UserFactory()
    enterprise = register_enterprise(ice=VALID_ICE, legal_name="Atlas SARL", commune=temara, representative=founder)
    invite_representative(enterprise, "06 61 23 45 67", capacity=RepresentativeCapacity.AUTHORISED_AGENT, by=founder)
    assert enterprise.representatives.active().count() == 1
    invitation = partner.representations.pending().get()
    with pytest.raises(PermissionDenied):
        answer_invitation(invitation, by=stranger, accept=True)
    answer_invitation(invitation, by=partner, accept=True)
    assert enterprise.representatives.active().count() == 2
    with pytest.raises(PermissionDenied):
        invite_representative(enterprise, partner.email, capacity=RepresentativeCapacity.AUTHORISED_AGENT, by=stranger)


def test_a_declined_invitation_grants_nothing_and_is_kept(temara):
    founder, invitee = UserFactory(), UserFactory()
    enterprise = register_enterprise(ice=VALID_ICE, legal_name="Atlas SARL", commune=temara, representative=founder)
    invite_representative(enterprise, invitee.email, capacity=RepresentativeCapacity.AUTHORISED_AGENT, by=founder)
    answer_invitation(invitee.representations.pending().get(), by=invitee, accept=False)
    assert not enterprise.representatives.active().filter(user=invitee).exists()
    assert EnterpriseRepresentative.objects.filter(user=invitee, revoked_at__isnull=False).count() == 1


def test_inviting_reveals_neither_existence_nor_name(client, temara):
    founder = UserFactory()
    invitee = UserFactory(full_name="Nadia Secret")
    enterprise = register_enterprise(ice=VALID_ICE, legal_name="Atlas SARL", commune=temara, representative=founder)
    client.force_login(founder, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    url = reverse("accounts:enterprise", args=[enterprise.ice])
    data = {"capacity": RepresentativeCapacity.AUTHORISED_AGENT}
    known = client.post(url, {**data, "identifier": invitee.email}, follow=True)
    unknown = client.post(url, {**data, "identifier": "nobody@example.ma"}, follow=True)
    assert "Nadia Secret" not in known.text
    assert [str(m) for m in known.context["messages"]] == [str(m) for m in unknown.context["messages"]]
    home = client.get(reverse("portal:home"))
    client.force_login(invitee, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    invitation = invitee.representations.pending().get()
    assert "Atlas SARL" in client.get(reverse("portal:home")).text
    client.post(reverse("accounts:answer_invitation", args=[invitation.pk]), {"answer": "accept"})
    assert enterprise.representatives.active().filter(user=invitee).exists()
    assert home.status_code == 200


def test_enterprise_form_keeps_what_was_typed_when_the_ice_is_wrong(client, temara):
    client.force_login(UserFactory(), backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    data = {"ice": "001537619000094", "legal_name": "Atlas SARL", "commune": "Témara — تمارة · 04.501.01.07"}
    response = client.post(reverse("accounts:enterprise_register"), data, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert 'value="Atlas SARL"' in response.text
    assert 'value="001537619000094"' in response.text
    assert "ICE" in response.text


def test_a_commune_name_shared_by_several_communes_needs_the_suggestion(client, temara):
    client.force_login(UserFactory(), backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    shared = (
        Territory.objects.filter(level="commune")
        .values("name_fr")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("name_fr")
        .first()
    )
    data = {"ice": VALID_ICE, "legal_name": "Atlas SARL", "commune": shared["name_fr"]}
    response = client.post(reverse("accounts:enterprise_register"), data)
    assert response.status_code == 200 and "commune" in response.context["form"].errors


def test_enterprise_form_registers_with_a_suggested_commune(client, temara):
    person = UserFactory()
    client.force_login(person, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
    suggestions = client.get(reverse("portal:commune_suggestions"), {"commune": "Témara"}).text
    assert "04.501.01.07" in suggestions
    data = {"ice": VALID_ICE, "legal_name": "Atlas SARL", "commune": "Témara — تمارة · 04.501.01.07"}
    response = client.post(reverse("accounts:enterprise_register"), data)
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Atlas SARL" in page.text and person.full_name in page.text
    assert client.get(reverse("portal:home")).text.count("Atlas SARL") == 1
