"""The construction tax (Law 47-06): the commune's rate within the law's range by use, the tax of a permit from its
covered area, paid before the permit is released; an exemption flagged by who approves."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from raqmana.payments.providers import Outcome
from raqmana.payments.services import settle
from raqmana.procedures import rules
from raqmana.procedures.constants import DossierState, TaxedUse
from raqmana.procedures.models import ProcedureVersion
from raqmana.procedures.services import fees, filing, review

from .conftest import SMALL_BUILDING, complete

TAXED = {
    **SMALL_BUILDING,
    "fees": {
        "construction_tax": {
            "area_field": "area",
            "use_field": "use",
            "uses": {"individual_housing": "individual_housing", "commercial": "collective"},
        }
    },
}


@pytest.mark.parametrize(
    ("use", "rate", "allowed"),
    [
        (TaxedUse.INDIVIDUAL_HOUSING, Decimal("20"), True),
        (TaxedUse.INDIVIDUAL_HOUSING, Decimal("30"), True),
        (TaxedUse.INDIVIDUAL_HOUSING, Decimal("19.99"), False),
        (TaxedUse.INDIVIDUAL_HOUSING, Decimal("31"), False),
        (TaxedUse.COLLECTIVE_OR_BUSINESS, Decimal("10"), True),
        (TaxedUse.COLLECTIVE_OR_BUSINESS, Decimal("20"), True),
        (TaxedUse.COLLECTIVE_OR_BUSINESS, Decimal("25"), False),
    ],
)
def test_the_rate_stays_within_the_law_s_range(use, rate, allowed):
    if allowed:
        rules.check_construction_tax_rate(use, rate)
    else:
        with pytest.raises(ValidationError), translation.override("fr"):
            rules.check_construction_tax_rate(use, rate)


def test_the_tax_is_the_rate_times_the_covered_area_to_the_centime():
    assert rules.construction_tax(Decimal("120.55"), Decimal("25")) == Decimal("3013.75")
    assert rules.construction_tax(Decimal("0.333"), Decimal("10")) == Decimal("3.33")


@pytest.fixture
def taxed(procedure):
    version = ProcedureVersion.objects.create(procedure=procedure, number=2, definition=TAXED, source="test")
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    return procedure


@pytest.fixture
def taxed_dossier(taxed, applicant, applicant_act, birth_data, temara, temara_window, permits_agent):
    draft = filing.start_draft(applicant, taxed, commune=temara)
    complete(draft, applicant, applicant_act, birth_data)
    dossier = filing.file_dossier(draft, by=applicant)
    return review.take_up(dossier, by=permits_agent)


def test_the_commune_s_rate_applies(taxed_dossier, president, temara):
    fees.set_construction_tax_rate(
        temara,
        TaxedUse.INDIVIDUAL_HOUSING,
        Decimal("25"),
        valid_from=timezone.localdate() + timedelta(days=1),
        by=president,
    )
    assert fees.construction_tax_due(taxed_dossier).rate == Decimal("20.00")  # the national minimum until tomorrow
    with pytest.raises(ValidationError):
        fees.set_construction_tax_rate(
            temara, TaxedUse.INDIVIDUAL_HOUSING, Decimal("35"), valid_from=timezone.localdate(), by=president
        )


def test_the_permit_is_released_once_the_tax_is_paid(taxed_dossier, president):
    approved = review.approve(taxed_dossier, by=president)
    assert approved.state == DossierState.AWAITING_PAYMENT
    assert approved.tax_amount == Decimal("2410.00") == approved.payment.amount  # 120.50 m² × 20 DH
    assert approved.decision is None
    settle(Outcome(approved.payment.reference, True, approved.payment.amount, "MAD", "GW-1"))
    approved.refresh_from_db()
    assert approved.state == DossierState.APPROVED
    assert approved.decision.kind == "dossier_decision" and approved.decision.issued_by == president


def test_an_exemption_releases_the_permit_at_once(taxed_dossier, president):
    approved = review.approve(taxed_dossier, by=president, tax_exemption="Bâtiment de l'État")
    assert approved.state == DossierState.APPROVED and approved.payment is None
    assert approved.tax_exemption == "Bâtiment de l'État"
