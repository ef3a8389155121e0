"""Payment providers behind one small interface. RAQMANA_PAYMENT_PROVIDER names the class to use.

A provider sends the payer to its payment page (`start`), reads the outcome it reports back (`outcome`), and
gives money back (`refund`). Only the simulated provider ships: it stands for the Treasury's gateway during
development and tests, with its own payment page, and refuses to run in production. A real gateway (TGR
e-payment, CMI) is a class with these three methods, named in the setting.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Outcome:
    """What the provider says of a payment: which one, whether it was paid, and its own reference."""

    reference: str
    paid: bool
    provider_reference: str = ""


class PaymentProvider:
    name = ""

    def start(self, payment):
        """The address to send the payer to."""
        raise NotImplementedError

    def outcome(self, request):
        """The verified outcome carried by the provider's return or notification; raises signing.BadSignature
        (or ValueError) when the message is not genuine."""
        raise NotImplementedError

    def refund(self, payment):
        """Give the payment back; returns the provider's reference of the refund."""
        raise NotImplementedError


class SimulatedProvider(PaymentProvider):
    """A working stand-in for the gateway: its page (payments:simulated) lets the payer pay or decline, and its
    answer comes back signed with the site's key, as a real gateway signs its own."""

    name = "simulated"
    SALT = "raqmana.payments.simulated"
    MAX_AGE = 3600

    def __init__(self):
        if not (settings.DEBUG or settings.TESTING):
            raise ImproperlyConfigured(_("The simulated payment provider is for development only."))

    def start(self, payment):
        return reverse("payments:simulated", args=[payment.reference])

    def answer(self, payment, paid):
        """The signed message the simulated gateway sends back after the payer's choice."""
        provider_reference = f"SIM-{secrets.token_hex(6).upper()}" if paid else ""
        token = signing.dumps(
            {"reference": payment.reference, "paid": paid, "provider_reference": provider_reference}, salt=self.SALT
        )
        return f"{reverse('payments:returned', args=[self.name])}?token={token}"

    def outcome(self, request):
        data = signing.loads(request.GET.get("token", ""), salt=self.SALT, max_age=self.MAX_AGE)
        return Outcome(data["reference"], bool(data["paid"]), data["provider_reference"])

    def refund(self, payment):
        return f"SIM-REFUND-{secrets.token_hex(6).upper()}"


def payment_provider():
    """The configured provider, or None when online payment is not configured."""
    if not settings.RAQMANA_PAYMENT_PROVIDER:
        return None
    return import_string(settings.RAQMANA_PAYMENT_PROVIDER)()
