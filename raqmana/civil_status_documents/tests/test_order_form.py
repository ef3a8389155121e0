"""The order form says what the citizen will pay before "Order and pay" (the tariff place_order charges: the
collectivity's own, else the national one), and asks for a mandate only of a mandatary (CSS, no script)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.selectors import order_fee
from raqmana.payments.models import Fee
from raqmana.payments.selectors import collectivity_of

pytestmark = pytest.mark.django_db


def order_url(act):
    return (
        f"{reverse('documents:order_new')}?kind=birth_extract&reference={act.idcs}"
        f"&event_date={act.birth_date:%Y-%m-%d}&first_name={act.first_name_latin}"
    )


@pytest.fixture
def citizen(client):
    user = UserFactory()
    client.force_login(user)
    client.cookies["django_language"] = "fr"
    return user


def test_the_fee_is_shown_before_order_and_pay_as_it_is_charged(client, citizen, birth_act):
    page = client.get(order_url(birth_act)).text
    fee_at, button_at = page.index('class="fee"'), page.index("</button>", page.index('class="form narrow order-form"'))
    assert fee_at < button_at and "2,00\xa0DH" in strip_tags(page[fee_at:button_at])
    client.post(order_url(birth_act), {"requester_relation": "holder", "purpose": "Passeport"})
    assert DocumentOrder.objects.get().payment.amount == order_fee(birth_act, "birth_extract") == Decimal("2.00")


def test_the_fee_shown_is_the_collectivitys_own_when_it_has_one(client, citizen, birth_act):
    Fee.objects.create(
        code="birth_extract",
        collectivity=collectivity_of(birth_act.office.territory),
        label_ar="نسخة موجزة",
        label_fr="Extrait",
        amount=Decimal("3.50"),
        legal_basis="Arrêté communal",
        valid_from=date(2020, 1, 1),
    )
    assert "3,50\xa0DH" in strip_tags(client.get(order_url(birth_act)).text)


def test_the_mandate_field_is_in_the_form_for_a_browser_without_css(client, citizen, birth_act):
    page = client.get(order_url(birth_act)).text
    assert 'id="id_mandate_reference"' in page and 'value="mandatary"' in page
