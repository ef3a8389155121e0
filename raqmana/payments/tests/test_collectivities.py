"""Each fee and payment belongs to a collectivity. A fee has validity dates: a change of tariff is a new row from
the day it applies, a collectivity that set none charges the national tariff, and rows whose dates meet are
refused. Payment events are placed at the payment's collectivity."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from raqmana.accounts.models import User
from raqmana.accounts.tests.factories import PASSWORD
from raqmana.audit.models import AuditEvent
from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import place_order
from raqmana.payments import services
from raqmana.payments.models import Fee
from raqmana.payments.selectors import collectivity_of, fee_in_force
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

from .conftest import a_commune, gateway_outcome, new_payment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


LABELS = {"label_ar": "نسخة موجزة من رسم الولادة", "label_fr": "Extrait d'acte de naissance", "legal_basis": "Arrêté"}


def days(n):
    return timezone.localdate() + timedelta(days=n)


def test_a_collectivity_that_set_no_tariff_charges_the_national_one():
    national = Fee.objects.get(code="birth_extract")
    assert national.collectivity is None and national.valid_from <= timezone.localdate()
    assert fee_in_force("birth_extract", a_commune()) == national


def test_a_change_of_tariff_applies_from_its_day_in_its_collectivity_only(payer, heard):
    commune, neighbour = a_commune(0), a_commune(1)
    charged = new_payment(payer, collectivity=commune)
    own = services.add_fee("birth_extract", collectivity=commune, amount=Decimal("5.00"), valid_from=days(1), **LABELS)
    national = Fee.objects.get(code="birth_extract", collectivity=None)
    assert fee_in_force("birth_extract", commune) == national  # today: still the national tariff
    assert fee_in_force("birth_extract", commune, on=days(1)) == own
    assert fee_in_force("birth_extract", commune, on=days(400)) == own
    assert fee_in_force("birth_extract", neighbour, on=days(1)) == national
    later = services.add_fee(
        "birth_extract", collectivity=commune, amount=Decimal("6.00"), valid_from=days(30), **LABELS
    )
    assert fee_in_force("birth_extract", commune, on=days(29)) == own
    assert fee_in_force("birth_extract", commune, on=days(30)) == later
    charged.refresh_from_db()
    own.refresh_from_db()
    # No row was edited: the payment keeps the tariff it was charged; the earlier row keeps its dates.
    assert charged.fee == national and charged.amount == Decimal("2.00") and own.valid_until is None


def test_a_tariff_with_a_last_day_gives_way_to_the_national_one_after_it():
    commune = a_commune()
    services.add_fee(
        "birth_extract",
        collectivity=commune,
        amount=Decimal("1.00"),
        valid_from=days(1),
        valid_until=days(10),
        **LABELS,
    )
    assert fee_in_force("birth_extract", commune, on=days(10)).amount == Decimal("1.00")
    assert fee_in_force("birth_extract", commune, on=days(11)).collectivity is None


def test_no_tariff_in_force_is_refused_with_a_message():
    with pytest.raises(ValidationError, match="No tariff is in force"):
        fee_in_force("birth_extract", a_commune(), on=Fee.objects.get(code="birth_extract").valid_from - timedelta(1))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((1, None), (1, 5)),  # the same first day
        ((1, 10), (5, None)),  # starts while the other is in force to its last day
        ((5, 10), (1, 5)),  # ends after the other started
        ((5, None), (1, 20)),  # a later row inside the new one's dates
    ],
)
def test_rows_whose_dates_meet_are_refused(first, second):
    commune = a_commune()

    def add(period):
        start, end = period
        return services.add_fee(
            "birth_extract",
            collectivity=commune,
            amount=Decimal("3.00"),
            valid_from=days(start),
            valid_until=end and days(end),
            **LABELS,
        )

    add(first)
    with pytest.raises(ValidationError, match="in force during these dates"):
        add(second)
    assert Fee.objects.filter(code="birth_extract", collectivity=commune).count() == 1


def test_a_tariff_cannot_change_today_or_the_past():
    for start in (0, -1):
        with pytest.raises(ValidationError) as refused:
            services.add_fee(
                "birth_extract", collectivity=None, amount=Decimal("9.00"), valid_from=days(start), **LABELS
            )
        assert "valid_from" in refused.value.error_dict


def test_only_a_collectivity_levies_a_fee():
    arrondissement = Territory.objects.filter(level=Level.ARRONDISSEMENT).first()
    with pytest.raises(ValidationError) as refused:
        services.add_fee("birth_extract", collectivity=arrondissement, amount=1, valid_from=days(1), **LABELS)
    assert "collectivity" in refused.value.error_dict


def test_a_payment_is_owed_to_its_collectivity_and_its_events_are_placed_there(
    payer, heard, django_capture_on_commit_callbacks
):
    commune = a_commune(3)
    payment, declined = new_payment(payer, collectivity=commune), new_payment(payer, collectivity=commune)
    assert payment.collectivity == commune
    services.settle(gateway_outcome(declined, paid=False))
    services.settle(gateway_outcome(payment))
    with django_capture_on_commit_callbacks(execute=True):
        services.refund(payment, by=None, reason="Refused")
    events = AuditEvent.objects.filter(target_type="payments.Payment", target_id__in=[payment.pk, declined.pk])
    assert {event.action for event in events} == {
        "payment.failed",
        "payment.paid",
        "payment.refunded",
        "payment.refund_confirmed",
    }
    assert {event.territory for event in events} == {commune}


def test_a_payment_is_owed_to_a_collectivity_not_an_arrondissement(payer, heard):
    arrondissement = Territory.objects.filter(level=Level.ARRONDISSEMENT).first()
    with pytest.raises(ValueError, match="not a collectivity"):
        new_payment(payer, collectivity=arrondissement)
    commune = collectivity_of(arrondissement)
    assert commune.level == Level.COMMUNE and arrondissement in Territory.objects.filter(
        ancestor_links__ancestor=commune
    )
    assert collectivity_of(commune) == commune


def test_the_administration_adds_tariffs_and_edits_none(verified_client):
    admin = verified_client(User.objects.create_superuser("dgct@example.ma", PASSWORD, full_name="DGCT"))
    national = Fee.objects.get(code="birth_extract")
    typed = {"code": "birth_extract", "amount": "3.00", "valid_from": days(1).isoformat(), **LABELS}
    added = admin.post(reverse("admin:payments_fee_add"), {**typed, "collectivity": a_commune().pk})
    assert added.status_code == 302
    assert fee_in_force("birth_extract", a_commune(), on=days(1)).amount == Decimal("3.00")
    admin.post(reverse("admin:payments_fee_change", args=[national.pk]), {**typed, "amount": "99.00"})
    national.refresh_from_db()
    assert national.amount == Decimal("2.00") and national.valid_from < days(1)
    page = admin.get(reverse("admin:payments_payment_changelist"))
    assert page.status_code == 200


def test_an_order_is_paid_to_the_collectivity_of_the_office_that_keeps_the_act(payer, birth_act):
    order = place_order(
        payer, birth_act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Passport"
    )
    assert order.payment.collectivity == birth_act.office.territory
    assert order.payment.collectivity.level == Level.COMMUNE and order.payment.fee.collectivity is None
