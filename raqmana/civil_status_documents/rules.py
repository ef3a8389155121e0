"""Who may receive which copy of a civil status act."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .constants import RESTRICTED_KINDS, CivilStatusDocument, RequesterRelation

FULL_COPY_RELATIONS = {
    RequesterRelation.HOLDER,
    RequesterRelation.ASCENDANT,
    RequesterRelation.DESCENDANT,
    RequesterRelation.SPOUSE,
    RequesterRelation.GUARDIAN,
}


def check_copy_requester(kind: str, relation: str, mandate_reference: str = "") -> None:
    """Law 36-21 on civil status (copies of acts): an extract may be issued to anyone; a full copy only to the
    holder of the act, their ascendants, descendants, spouse or legal guardian, or to a person one of them
    authorised, whose mandate is then recorded. The family booklet record, which shows the whole family, follows
    the full copy's rule. Raises ValidationError otherwise."""
    if relation not in RequesterRelation.values:
        raise ValidationError(
            {"requester_relation": _("Select a valid choice. That choice is not one of the available choices.")}
        )
    if kind not in RESTRICTED_KINDS:
        return
    if kind == CivilStatusDocument.DEATH_FULL_COPY and relation == RequesterRelation.HOLDER:
        raise ValidationError({"requester_relation": _("The holder of a death act cannot be the requester.")})
    if relation == RequesterRelation.MANDATARY:
        if not mandate_reference.strip():
            raise ValidationError(
                {"mandate_reference": _("Record the mandate (its reference and date) that authorises this person.")}
            )
        return
    if relation not in FULL_COPY_RELATIONS:
        raise ValidationError(
            {
                "requester_relation": _(
                    "A full copy goes only to the holder, an ascendant, a descendant, the spouse, the guardian or "
                    "a person they authorised. Anyone may receive an extract."
                )
            }
        )


def check_requester(kind: str, requester: Mapping[str, Any]) -> None:
    """The requester's relation to the act is stated, and may receive this document (check_copy_requester)."""
    relation = str(requester.get("relation", "")).strip()
    if not relation:
        raise ValidationError({"requester_relation": _("This field is required.")})
    check_copy_requester(kind, relation, requester.get("mandate", ""))


def issued_without_check(kind: str) -> bool:
    """Law 36-21 on civil status (copies of acts): an extract may be issued to anyone, so an extract ordered
    online is issued as soon as it is paid. A full copy or a family booklet record is restricted to the holder
    and their family, so an agent of the office that keeps the act first checks the requester's proof of
    identity and relation."""
    return kind not in RESTRICTED_KINDS
