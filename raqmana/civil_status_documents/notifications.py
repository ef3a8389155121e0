"""The messages civil_status_documents sends (notifications.kinds); templates in
templates/civil_status_documents/notifications/."""

from raqmana.notifications.kinds import declare

declare(
    "civil_status_documents.lookup_limit_reached",
    "To an office's officers and inspectors: an agent's lookups went over the limit.",
)
declare(
    "civil_status_documents.order_awaiting_check", "To a citizen: the order is paid and the office checks the proof."
)
declare("civil_status_documents.order_issued", "To a citizen: the document ordered is ready.")
declare("civil_status_documents.order_refused", "To a citizen: the order was refused and the payment refunded.")
declare(
    "civil_status_documents.order_expired",
    "To a citizen: the order, not paid in time, is cancelled and its proof deleted.",
)
declare(
    "civil_status_documents.proof_infected",
    "To a citizen: the proof attached to an order held a threat and was deleted.",
)
