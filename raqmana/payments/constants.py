from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


PAYMENT_TRANSITIONS = {
    PaymentState.PENDING: {PaymentState.PAID, PaymentState.FAILED, PaymentState.CANCELLED},
    PaymentState.FAILED: {PaymentState.PAID, PaymentState.CANCELLED},  # the payer may try again
    PaymentState.PAID: {PaymentState.REFUNDED},
    PaymentState.CANCELLED: {PaymentState.PAID},  # the gateway took the money anyway: recorded, then refunded
    PaymentState.REFUNDED: set(),
}
