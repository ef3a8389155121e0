from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

# Each event stands at the payment's collectivity (`territory=payment.collectivity`); a reconciliation is national.
declare(
    Action("payment.paid", _("Payment received")),
    Action("payment.failed", _("Payment failed")),
    Action("payment.mismatched", _("Payment of a different sum than owed")),
    Action("payment.expired", _("Payment cancelled: not paid in time")),
    Action("payment.refunded", _("Refund decided")),
    Action("payment.refund_confirmed", _("Refund confirmed by the provider")),
    Action("payment.refund_failed", _("Refund failed at the provider")),
    Action("payment.refund_asked_again", _("Refund asked of the provider again")),
    Action("payment.reconciled", _("Payments reconciled with the provider's statement")),
)
