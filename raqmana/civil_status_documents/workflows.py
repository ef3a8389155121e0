"""The online order's workflow, as every write on orders uses it: the one way its row is locked and the one way it
moves (services, the proofs' scanning and retention, and the clock of its payment)."""

from django.utils.translation import gettext_lazy as _

from raqmana.payments import services as payment_services
from raqmana.payments.models import Payment
from raqmana.workflows.engine import ClockRule, Transition, Workflow

from .constants import OrderState
from .models import DocumentOrder, OrderTransition


def lock_order(pk: object) -> DocumentOrder:
    """The order's row, locked until the transaction ends, with what moving it needs."""
    return (
        DocumentOrder.objects.select_for_update(of=("self",))
        .select_related("act__office", "citizen", "payment")
        .get(pk=pk)
    )


def lock_with_payment(pk: object) -> DocumentOrder:
    """The order locked after its payment: `payments.services.settle` locks the payment before its handler locks the
    order, so whatever locks both does it in that order and the two never wait for each other."""
    payment_id = DocumentOrder.objects.values_list("payment_id", flat=True).get(pk=pk)
    if payment_id:
        Payment.objects.select_for_update().get(pk=payment_id)
    return lock_order(pk)


def _cancel_payment(order: DocumentOrder, reason: str) -> None:
    """An order expired unpaid: its payment is cancelled, so that none is taken for it; money taken anyway is given
    back when its answer comes (services.order_paid)."""
    if order.payment_id:
        payment_services.cancel(order.payment, by=None, reason=reason)


ORDER_WORKFLOW = Workflow(
    "civil_status_documents.order",
    states=OrderState,
    transitions=[
        # The payment arrived: an extract is issued at once, a full copy waits for the office's check.
        Transition([OrderState.AWAITING_PAYMENT], OrderState.ISSUED, system=True),
        Transition([OrderState.AWAITING_PAYMENT], OrderState.AWAITING_CHECK, system=True),
        Transition([OrderState.AWAITING_CHECK], OrderState.ISSUED, permission="civil_status_documents.order.check"),
        Transition([OrderState.AWAITING_CHECK], OrderState.REFUSED, permission="civil_status_documents.order.check"),
        # The citizen withdraws it, or its proof is deleted (a virus, the retention's end) before it is paid.
        Transition([OrderState.AWAITING_PAYMENT], OrderState.CANCELLED, applicant=True, system=True),
        Transition([OrderState.AWAITING_PAYMENT], OrderState.EXPIRED, system=True),
    ],
    log=OrderTransition,
    link="order",
    refused=_("An order cannot go from “%(from)s” to “%(to)s”."),
    place=lambda order: order.act.office,
    applicant=lambda order: order.citizen,
    lock=lock_with_payment,
    clocks=[
        ClockRule(
            "payment",
            runs_in=[OrderState.AWAITING_PAYMENT],
            expires_to=OrderState.EXPIRED,
            setting="RAQMANA_ORDER_PAYMENT_DAYS",
            reason=_("Not paid in time."),
            then=_cancel_payment,
        )
    ],
)
