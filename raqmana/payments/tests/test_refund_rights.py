"""Who may give a payment back: an agent holding "payments.payment.refund" at a unit of the collectivity the payment
is owed to (an arrondissement's office is its commune's), or a superuser from the administration; nobody else."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.payments import services
from raqmana.payments.constants import PaymentState
from raqmana.territories.models import CivilStatusOffice, Territory

from .conftest import gateway_outcome, new_payment

pytestmark = pytest.mark.django_db

TEMARA, SKHIRATE = "04.501.01.07", "04.501.01.05"
CASABLANCA, ANFA = "06.141.01.0", "06.141.01.01"


def agent_of(code):
    office = CivilStatusOffice.objects.get(territory__code=code)
    user = UserFactory()
    grant_role(user, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="test")
    return user, office


def paid_to(code, **taken):
    payment = new_payment(UserFactory(), collectivity=Territory.objects.get(code=code))
    return services.settle(gateway_outcome(payment, **taken))


def test_an_agent_of_another_collectivity_gives_nothing_back(heard):
    payment = paid_to(TEMARA)
    outsider, their_office = agent_of(SKHIRATE)
    for at in (None, their_office, CivilStatusOffice.objects.get(territory__code=TEMARA)):
        with pytest.raises(PermissionDenied):
            services.refund(payment, by=outsider, reason="not mine", at=at)
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID


def test_an_agent_of_the_collectivity_gives_back_from_their_office(heard):
    payment = paid_to(TEMARA)
    agent, office = agent_of(TEMARA)
    assert services.refund(payment, by=agent, reason="Order refused", at=office).state == PaymentState.REFUNDED
    assert payment.transitions.get(to_state=PaymentState.REFUNDED).by == agent


def test_an_arrondissements_office_gives_back_what_is_owed_to_its_commune(heard):
    payment = paid_to(CASABLANCA)
    agent, anfa = agent_of(ANFA)
    with pytest.raises(PermissionDenied):  # the commune itself is no place of theirs
        services.refund(payment, by=agent, reason="Order refused")
    assert services.refund(payment, by=agent, reason="Order refused", at=anfa).state == PaymentState.REFUNDED


def test_the_unit_acted_from_must_be_one_where_the_person_holds_the_permission(heard):
    payment = paid_to(CASABLANCA)
    agent, _office = agent_of(TEMARA)
    with pytest.raises(PermissionDenied):
        services.refund(payment, by=agent, reason="x", at=CivilStatusOffice.objects.get(territory__code=ANFA))


def test_only_a_superuser_gives_back_mismatched_payments_from_the_administration(heard, verified_client):
    from decimal import Decimal

    payment = paid_to(TEMARA, amount=Decimal("1.00"))
    staff, _office = agent_of(TEMARA)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = verified_client(staff)
    changelist = reverse("admin:payments_payment_changelist")
    client.post(changelist, {"action": "give_back_mismatched", "_selected_action": [payment.pk]})
    payment.refresh_from_db()
    assert payment.state == PaymentState.MISMATCHED
