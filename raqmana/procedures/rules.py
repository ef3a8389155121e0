"""Rules of Law 55-19 on the simplification of administrative procedures and formalities (in force 28 September
2020), one function each: the procedures engine applies them to every procedure, whatever its own definition says.

Article 7 is cited as the Ministry of the Interior reads it (its communiqué of 5 May 2021), article 16 as the
procedures brief cites it; other provisions are named by their content, the consolidated text not having been
checked here (see DOMAIN.md, "Administrative procedures").
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import INVESTMENT_MAXIMUM_DELAY_DAYS, LEGAL_MAXIMUM_DELAY_DAYS, DocumentForm, DocumentSource


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
