from django.utils.translation import gettext_lazy as _

from raqmana.audit.models import AuditEvent
from raqmana.audit.registry import Action, declare


def requester_explained(event: AuditEvent) -> str:
    """Who received a copy issued elsewhere: their relation to the act's holder and their identity document
    (`document_kinds.record_copy_elsewhere`)."""
    return _("%(relation)s — identity document %(document)s") % {
        "relation": event.reason_shown,
        "document": event.details.get("requester_document", "—"),
    }


declare(
    Action(
        "act.copy_issued_elsewhere",
        _("Full copy or family booklet record issued by another office"),
        explains=requester_explained,
    ),
    Action("act.lookup_limit_reached", _("Act lookups at the counter over the limit")),
    Action("document_order.placed", _("Document ordered online")),
    # A citizen's own lookups online: about their account, at no office (a miss names no act, hence no place).
    Action("document_order.lookup_missed", _("Online lookup of an act to order from found nothing"), placeless=True),
    Action("document_order.lookup_limit_reached", _("Online lookups of acts over the limit"), placeless=True),
    Action("document_order.proof_read", _("Order's proof opened")),
    Action("document_order.refused", _("Order refused")),
    Action("document_order.proof_refused_infected", _("Proof refused: the virus scan found a threat")),
    Action("document_order.proof_infected", _("Proof deleted: the virus scan found a threat")),
    Action("document_order.proof_deleted", _("Proof deleted at the end of its retention period")),
)
