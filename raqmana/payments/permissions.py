from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "payments.payment.refund",
        _("Give back a payment (an order refused)"),
        _("You may not give this payment back."),
    ),
    Permission(
        "payments.refund.ask_again",
        _("Ask the provider again for a refund it did not confirm"),
        _("You may not ask for this refund again."),
    ),
)
