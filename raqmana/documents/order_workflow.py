"""An order's state machine, as every write on orders uses it: the one way its row is locked and the one way it
moves between the states that constants.ORDER_TRANSITIONS allows (kernel.workflow.move records who, when and why).
Services and the proofs' scanning and retention both move orders."""

from django.utils.translation import gettext as _

from raqmana.kernel.workflow import move

from .constants import ORDER_TRANSITIONS, OrderState
from .models import DocumentOrder, OrderTransition


def lock_order(pk):
    """The order's row, locked until the transaction ends, with what moving it needs."""
    return (
        DocumentOrder.objects.select_for_update(of=("self",))
        .select_related("act__office", "citizen", "payment")
        .get(pk=pk)
    )


def move_order(order, to_state, *, by, reason=""):
    move(
        order,
        to_state,
        states=OrderState,
        transitions=ORDER_TRANSITIONS,
        log=OrderTransition,
        link="order",
        by=by,
        reason=reason,
        refused=_("An order cannot go from “%(from)s” to “%(to)s”."),
    )
