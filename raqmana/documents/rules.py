"""Who may receive which copy of a civil status act."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .constants import RESTRICTED_KINDS, DocumentKind, RequesterRelation

FULL_COPY_RELATIONS = {
    RequesterRelation.HOLDER,
    RequesterRelation.ASCENDANT,
    RequesterRelation.DESCENDANT,
    RequesterRelation.SPOUSE,
    RequesterRelation.GUARDIAN,
}


def check_copy_requester(kind, relation, mandate_reference=""):
    """Law 36-21 on civil status (copies of acts): an extract may be issued to anyone; a full copy only to the
    holder of the act, their ascendants, descendants, spouse or legal guardian, or to a person one of them
    authorised, whose mandate is then recorded. The family booklet record, which shows the whole family, follows
    the full copy's rule. Raises ValidationError otherwise."""
    if kind not in RESTRICTED_KINDS:
        return
    if kind == DocumentKind.DEATH_FULL_COPY and relation == RequesterRelation.HOLDER:
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


def issued_without_check(kind):
    """Law 36-21 on civil status (copies of acts): an extract may be issued to anyone, so an extract ordered
    online is issued as soon as it is paid. A full copy or a family booklet record is restricted to the holder
    and their family, so an agent of the office that keeps the act first checks the requester's proof of
    identity and relation."""
    return kind not in RESTRICTED_KINDS
