from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

# Placeless only until a payment belongs to a collectivity (issue 13): then each call passes
# `territory=payment.collectivity` and these lose `placeless`.
declare(
    Action("payment.paid", _("Payment received"), placeless=True),
    Action("payment.failed", _("Payment failed"), placeless=True),
    Action("payment.mismatched", _("Payment of a different sum than owed"), placeless=True),
    Action("payment.refunded", _("Refund decided"), placeless=True),
    Action("payment.refund_confirmed", _("Refund confirmed by the provider"), placeless=True),
    Action("payment.refund_failed", _("Refund failed at the provider"), placeless=True),
    Action("payment.refund_asked_again", _("Refund asked of the provider again"), placeless=True),
    Action("payment.reconciled", _("Payments reconciled with the provider's statement")),
)
