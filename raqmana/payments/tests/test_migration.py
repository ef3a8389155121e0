"""The migration that gives fees their dates and payments their collectivity keeps what was charged: the fees the
documents app created become the national tariff in force since their first payment, and each payment made for a
document order is owed to the commune of the office that keeps the act."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from raqmana.civil_status_documents.constants import CivilStatusDocument
from raqmana.civil_status_documents.services import place_order
from raqmana.payments.models import Fee, Payment
from raqmana.payments.selectors import collectivity_of, fee_in_force
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("payments", "0002_amounts_refunds_reconciliation")]


def migrate(targets):
    """Migrate to `targets`; the models as the migrations applied then leave them (the apps whose later migrations
    depend on these targets' successors are unapplied with them)."""
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_migration(territories_in_transactional_db):
    """The database as it was before fees had dates and payments a collectivity; migrated back to the end after."""
    yield migrate(BEFORE)
    migrate(latest())


def order(payer, act):
    return place_order(
        payer, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="X"
    )


def test_existing_fees_and_payments_keep_their_tariff_and_find_their_collectivity(
    territories_in_transactional_db, payer, birth_act, request
):
    at_commune, at_arrondissement = order(payer, birth_act), order(payer, birth_act)
    arrondissement = Territory.objects.filter(level=Level.ARRONDISSEMENT).first()
    old = request.getfixturevalue("before_the_migration")
    # The second order's act as if kept by an arrondissement's office (the unit moved, for the test only).
    office = old.get_model("territories", "AdministrativeUnit").objects.create(
        kind="civil_status_office", code="TEST-ARR", name_ar="مكتب", name_fr="Bureau", territory_id=arrondissement.pk
    )
    old.get_model("civil_status", "Act").objects.filter(pk=birth_act.pk).update(office=office)
    assert old.get_model("payments", "Fee").objects.filter(code="birth_extract").count() == 1
    migrate(latest())
    national = Fee.objects.get(code="birth_extract")
    assert national.collectivity is None and national.valid_from == timezone.localdate()
    assert national.amount == 2 and fee_in_force("birth_extract", collectivity_of(arrondissement)) == national
    payments = Payment.objects.in_bulk([at_commune.payment_id, at_arrondissement.payment_id])
    commune = collectivity_of(arrondissement)
    assert {payment.collectivity for payment in payments.values()} == {commune}
    assert commune.level == Level.COMMUNE and all(payment.fee == national for payment in payments.values())


def test_a_payment_whose_collectivity_cannot_be_derived_stops_the_migration(
    territories_in_transactional_db, payer, request
):
    old = request.getfixturevalue("before_the_migration")
    Fee = old.get_model("payments", "Fee")
    stray = old.get_model("payments", "Payment").objects.create(
        reference="RQP-STRAY",
        payer_id=payer.pk,
        fee=Fee.objects.get(code="birth_extract"),
        amount=2,
        description="?",
        for_model="accounts.user",
        for_id=str(payer.pk),
        provider="simulated",
        return_url="/",
    )
    with pytest.raises(RuntimeError, match="RQP-STRAY"):
        migrate(latest())
    stray.delete()
