"""What an agent or a citizen types on a document (requester, purpose, reasons) is checked before anything is drawn,
sealed or stored: on the counter's page, in the API and in the services alike."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.services import issue_at_counter, place_order, refuse_order
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.civil_status_documents.tests.test_api import issue_payload
from raqmana.documents.models import IssuedDocument
from raqmana.documents.services import revoke_document
from raqmana.kernel.tests import samples

pytestmark = pytest.mark.django_db
REORDERED = "Bennani\u202eTSET\u202c"  # prints "BennaniTEST"
PDF_PROOF = samples.pdf()


@pytest.fixture
def extract(birth_act, agent, temara_office):
    return issue_at_counter(
        birth_act,
        CivilStatusDocument.BIRTH_EXTRACT,
        office=temara_office,
        by=agent,
        requester=HOLDER,
        purpose="Passeport",
    )


def test_the_counter_keeps_what_was_typed_and_shows_the_refusal_beside_the_name(
    verified_client, birth_act, agent, settings
):
    client = verified_client(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = {"kind": CivilStatusDocument.BIRTH_EXTRACT, "requester_name": REORDERED, "requester_document": "AB123456",
            "requester_relation": "holder", "purpose": "Passeport", "identity_checked": "on"}  # fmt: skip
    page = client.post(f"{reverse('documents:counter')}?reference={birth_act.idcs}&first_name=Youssef", form)
    assert page.status_code == 200
    assert [error.code for error in page.context["form"].errors.as_data()["requester_name"]] == ["bidi_control"]
    assert f'value="{REORDERED}"' in page.text and "could reorder it" in page.text
    assert not IssuedDocument.objects.exists()


def test_the_service_refuses_before_drawing_keyed_by_field(birth_act, agent, temara_office):
    with pytest.raises(ValidationError) as refused:
        issue_at_counter(
            birth_act,
            CivilStatusDocument.BIRTH_EXTRACT,
            office=temara_office,
            by=agent,
            requester={**HOLDER, "name": REORDERED, "document": "AB\x00123"},
            purpose="<script>alert(1)</script>",
        )
    codes = {field: [error.code for error in errors] for field, errors in refused.value.error_dict.items()}
    assert codes == {
        "requester_name": ["bidi_control"],
        "requester_document": ["control_character"],
        "purpose": ["markup"],
    }
    assert not IssuedDocument.objects.exists()


def test_the_api_answers_422_naming_the_field(verified_client, birth_act, agadir_agent):
    agent, office = agadir_agent
    api = verified_client(agent)
    refused = api.post(
        "/api/documents/", issue_payload(office, birth_act, requester_name=REORDERED), content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["detail"].startswith("requester_name: ")
    assert not IssuedDocument.objects.exists()


def test_a_revocation_reason_is_checked_in_the_api_and_the_service(verified_client, extract, officer):
    refused = verified_client(officer).post(
        f"/api/documents/{extract.pk}/revoke", {"reason": "Erreur\u200b"}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["detail"].startswith("reason: ")
    with pytest.raises(ValidationError) as error:
        revoke_document(extract, by=officer, reason="Erreur <b>grave</b>")
    assert list(error.value.error_dict) == ["reason"]
    extract.refresh_from_db()
    assert extract.revoked_at is None


def test_an_order_keeps_what_the_citizen_typed_and_the_service_refuses_by_field(client, birth_act):
    citizen = UserFactory(full_name="Youssef El Alaoui")
    client.force_login(citizen)
    url = (
        f"{reverse('documents:order_new')}?kind={CivilStatusDocument.BIRTH_EXTRACT}&reference={birth_act.idcs}"
        f"&event_date={birth_act.birth_date:%Y-%m-%d}&first_name=Youssef"
    )
    page = client.post(url, {"requester_relation": "holder", "purpose": "Passeport\u202e"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "purpose" in page.context["form"].errors
    assert 'value="Passeport\u202e"' in page.text
    with pytest.raises(ValidationError) as refused:
        place_order(
            citizen,
            birth_act,
            CivilStatusDocument.BIRTH_EXTRACT,
            relation="holder",
            mandate_reference="",
            purpose="Visa\x00",
        )
    assert list(refused.value.error_dict) == ["purpose"]
    assert not DocumentOrder.objects.exists()


def test_a_refusal_reason_is_checked(client, birth_act, agent):
    citizen = UserFactory()
    order = place_order(
        citizen,
        birth_act,
        CivilStatusDocument.BIRTH_FULL_COPY,
        relation="holder",
        mandate_reference="",
        purpose="Visa",
        proof=SimpleUploadedFile("p.pdf", PDF_PROOF),
    )
    DocumentOrder.objects.filter(pk=order.pk).update(state=OrderState.AWAITING_CHECK)
    with pytest.raises(ValidationError) as refused:
        refuse_order(order, by=agent, reason="Pas de lien\u2066")
    assert list(refused.value.error_dict) == ["reason"]
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_CHECK and order.refusal_reason == ""
