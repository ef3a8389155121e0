"""The payment's and the refund's workflows. The provider's answers are the system's steps; a person gives a payment
back (an agent refusing an order) or asks again for a refund the provider did not confirm."""

from django.utils.translation import gettext_lazy as _

from raqmana.workflows.engine import Transition, Workflow

from .constants import PaymentState, RefundState
from .models import PaymentTransition, RefundTransition

PAYMENT_WORKFLOW = Workflow(
    "payments.payment",
    states=PaymentState,
    transitions=[
        Transition([PaymentState.PENDING], PaymentState.FAILED, system=True),
        # Tried again after a failure; or the gateway took the money after the payer cancelled: recorded, then
        # given back. A sum or currency other than owed is recorded as a mismatch, for review.
        Transition(
            [PaymentState.PENDING, PaymentState.FAILED, PaymentState.CANCELLED],
            PaymentState.PAID,
            system=True,
        ),
        Transition(
            [PaymentState.PENDING, PaymentState.FAILED, PaymentState.CANCELLED],
            PaymentState.MISMATCHED,
            system=True,
        ),
        # The payer withdraws, or the system cancels what is no longer wanted (an order expired).
        Transition([PaymentState.PENDING, PaymentState.FAILED], PaymentState.CANCELLED, applicant=True, system=True),
        Transition(
            [PaymentState.PAID, PaymentState.MISMATCHED],
            PaymentState.REFUNDED,
            permission="payments.payment.refund",
            system=True,
        ),
    ],
    log=PaymentTransition,
    link="payment",
    refused=_("A payment cannot go from “%(from)s” to “%(to)s”."),
    # A person gives back a payment of the collectivity it is owed to (services.refund checks the unit acted from).
    place=lambda payment: payment.collectivity,
    applicant=lambda payment: payment.payer,
)

REFUND_WORKFLOW = Workflow(
    "payments.refund",
    states=RefundState,
    transitions=[
        Transition([RefundState.REQUESTED], RefundState.CONFIRMED, system=True),
        Transition([RefundState.REQUESTED], RefundState.FAILED, system=True),
        # Asked again from the administration, with the same key.
        Transition([RefundState.FAILED], RefundState.REQUESTED, permission="payments.refund.ask_again"),
    ],
    log=RefundTransition,
    link="refund",
    refused=_("A refund cannot go from “%(from)s” to “%(to)s”."),
)
