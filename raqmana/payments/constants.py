from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.territories.constants import UNIT_LEVELS, UnitKind

# Fees are owed in dirhams; a provider's answer in any other currency is a mismatch.
CURRENCY = "MAD"

# The territories that are legal persons and levy fees: communes, provinces and prefectures, regions (an
# arrondissement is not one: its office's fees are its commune's).
COLLECTIVITY_LEVELS = UNIT_LEVELS[UnitKind.COLLECTIVITY]


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    MISMATCHED = "mismatched", _("Paid a different sum: under review")
    REFUNDED = "refunded", _("Refunded")


class RefundState(models.TextChoices):
    REQUESTED = "requested", _("Asked of the provider")
    CONFIRMED = "confirmed", _("Confirmed by the provider")
    FAILED = "failed", _("Failed: the provider did not refund")


class Verdict(models.TextChoices):
    """The provider's word on a payment asked about (`PaymentProvider.status`)."""

    PAID = "paid", _("Paid at the provider")
    DECLINED = "declined", _("Declined by the provider")
    ABANDONED = "abandoned", _("Left on the provider's page without paying")
    UNKNOWN = "unknown", _("Not known to the provider yet")


# Minutes to wait before each new attempt at a refund the provider did not confirm; then it is marked failed.
REFUND_RETRY_MINUTES = (1, 5, 30, 120)
# Minutes past a refund's due attempt after which its task is deemed lost and the periodic sweep asks again.
REFUND_LOST_AFTER_MINUTES = 10


class StatementState(models.TextChoices):
    """A line of the provider's statement: money it took for a reference, or gave back."""

    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


class GatewayAttempt(models.TextChoices):
    """What the simulated gateway books of a payer who did not pay: its bank declined, or the payer left its page."""

    DECLINED = "declined", _("Declined")
    ABANDONED = "abandoned", _("Abandoned")


class DifferenceKind(models.TextChoices):
    MISSING_HERE = "missing_here", _("Paid at the provider, not recorded here")
    MISSING_AT_PROVIDER = "missing_at_provider", _("Recorded here as paid, not at the provider")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount or currency differs")
    REFUND_MISMATCH = "refund_mismatch", _("Refund differs")
