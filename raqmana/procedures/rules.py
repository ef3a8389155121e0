"""Rules of Law 55-19 on the simplification of administrative procedures and formalities (in force 28 September
2020), one function each: the procedures engine applies them to every procedure, whatever its own definition says.

Article 7 is cited as the Ministry of the Interior reads it (its communiqué of 5 May 2021), article 16 as the
procedures brief cites it; other provisions are named by their content, the consolidated text not having been
checked here (see DOMAIN.md, "Administrative procedures").
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from raqmana.calendars.workdays import WorkingCalendar

from .constants import INVESTMENT_MAXIMUM_DELAY_DAYS, LEGAL_MAXIMUM_DELAY_DAYS, DocumentForm, DocumentSource, TaxedUse


@dataclass(frozen=True)
class Requirement:
    """A document a procedure asks for: what it is (`kind`, a code of the catalogue), in what form, and who holds it."""

    kind: str
    form: DocumentForm = DocumentForm.ELECTRONIC
    source: DocumentSource = DocumentSource.APPLICANT


def maximum_delay_days(declared_days: int, *, investment_project: bool) -> int:
    """Law 55-19, art. 16: a decision is given within 60 days of the filing at most, 30 for an investment project,
    whatever longer delay a procedure's own text names; a shorter one stands."""
    cap = INVESTMENT_MAXIMUM_DELAY_DAYS if investment_project else LEGAL_MAXIMUM_DELAY_DAYS
    return min(declared_days, cap)


def decision_delay(
    declared_days: int, *, working_days: bool, investment_project: bool, filed_on: date, calendar: WorkingCalendar
) -> tuple[int, bool]:
    """Law 55-19, art. 16, for a dossier filed on `filed_on`: its delay, and whether it counts working days. The cap
    (`maximum_delay_days`) runs in days from the filing: a delay in working days that would end past it (60 working
    days take some 84) is the cap itself, in calendar days."""
    days = maximum_delay_days(declared_days, investment_project=investment_project)
    if not working_days:
        return days, False
    cap = INVESTMENT_MAXIMUM_DELAY_DAYS if investment_project else LEGAL_MAXIMUM_DELAY_DAYS
    # A delay in working days runs out at the midnight after its last one: on the cap's day at the latest.
    if calendar.add_working_days(filed_on, days) >= filed_on + timedelta(days=cap):
        return cap, False
    return days, True


def check_no_legalisation_nor_certified_copy(requirement: Requirement) -> None:
    """Law 55-19, art. 7: the administration may not ask the applicant to have the signature on a file's documents
    legalised, nor to give certified copies of documents."""
    if requirement.form == DocumentForm.LEGALISED_SIGNATURE:
        raise ValidationError(
            _("A file may not require a legalised signature (Law 55-19, art. 7): %(kind)s."),
            code="legalised_signature",
            params={"kind": requirement.kind},
        )
    if requirement.form == DocumentForm.CERTIFIED_COPY:
        raise ValidationError(
            _("A file may not require a certified copy (Law 55-19, art. 7): %(kind)s."),
            code="certified_copy",
            params={"kind": requirement.kind},
        )


def check_asked_once(requirements: Iterable[Requirement]) -> None:
    """Law 55-19, simplification: a document is asked for once in a file, never twice."""
    seen: set[str] = set()
    for requirement in requirements:
        if requirement.kind in seen:
            raise ValidationError(
                _("The document %(kind)s is asked for twice."), code="asked_twice", params={"kind": requirement.kind}
            )
        seen.add(requirement.kind)


def check_requirements(requirements: Iterable[Requirement]) -> None:
    """Every rule above on what a procedure's definition asks for, with every breach named at once."""
    requirements = list(requirements)
    errors: list[ValidationError] = []
    for requirement in requirements:
        try:
            check_no_legalisation_nor_certified_copy(requirement)
        except ValidationError as error:
            errors.append(error)
    try:
        check_asked_once(requirements)
    except ValidationError as error:
        errors.append(error)
    if errors:
        raise ValidationError(errors)


# Law 47-06 on local taxation, construction tax: the range within which each commune sets its rate per m² of covered
# floor area, by use.
CONSTRUCTION_TAX_RANGES = {
    TaxedUse.INDIVIDUAL_HOUSING: (Decimal(20), Decimal(30)),
    TaxedUse.COLLECTIVE_OR_BUSINESS: (Decimal(10), Decimal(20)),
}


def check_construction_tax_rate(use: TaxedUse, rate: Decimal) -> None:
    """Law 47-06 on local taxation, construction tax: the commune sets its rate per m² of covered floor area within
    the law's range, 20 to 30 DH for individual housing, 10 to 20 DH for collective housing and buildings for
    commercial, industrial, professional or administrative use."""
    low, high = CONSTRUCTION_TAX_RANGES[use]
    if not low <= rate <= high:
        raise ValidationError(
            _("The rate per m² for %(use)s is set between %(low)s and %(high)s DH (Law 47-06)."),
            code="construction_tax_rate",
            params={"use": use.label, "low": low, "high": high},
        )


def construction_tax(covered_area: Decimal, rate: Decimal) -> Decimal:
    """Law 47-06, construction tax: the rate per m² times the covered floor area the permit authorises, to the
    centime."""
    return (covered_area * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
