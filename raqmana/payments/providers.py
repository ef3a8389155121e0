"""Payment providers behind one small interface. RAQMANA_PAYMENT_PROVIDER names the class to use.

A provider sends the payer to its payment page (`start`), reads the outcome it reports back (`outcome`), says
where a payment stands when asked (`status`), gives money back (`refund`) and lists what it took and gave back
(`statement`). Only the simulated provider ships: it stands for the Treasury's gateway during development and tests,
with its own payment page and books, and refuses to run in production. A real gateway (TGR e-payment, CMI) is a
class with these methods, named in the setting.

`status` is what lets a payment settle without the gateway's answer (a callback that failed, a connection cut, a
payer who closed the page): `confirmations.settle_pending_payments` asks it of every payment left pending. A real
gateway maps its transaction inquiry onto it, by the order reference the platform gave it (`Payment.reference`):

- CMI: the merchant's status inquiry (`OrderStatus` / `TranType=Inquiry` on the merchant API, by `oid`): an approved
  sale (`ProcReturnCode` "00", `Response` "Approved") is PAID with its `amount`, `currency` (ISO 4217 numeric 504 is
  MAD) and `TransId` as the provider's reference; a declined one (any other return code) is DECLINED; an order
  whose session timed out with no transaction is ABANDONED; "order not found" is UNKNOWN.
- TGR e-payment: the payment-status service by the reference of the receipt ("quittance"): "payé" with the
  receipt's number is PAID; "rejeté" DECLINED; "expiré" or "annulé" ABANDONED; "en attente" or not found UNKNOWN.

A timeout or an error of the inquiry itself raises ProviderError: the payment stays as it is until the next run.
"""

import re
import secrets
import string
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .constants import CURRENCY, GatewayAttempt, StatementState, Verdict
from .models import SimulatedGatewayAttempt, SimulatedGatewayEntry


class ProviderError(Exception):
    """The provider refused or did not answer; the message says why."""


# An amount as providers write it, in ASCII digits: at most the 8 digits before the point that fees and payments
# hold (max_digits=10, decimal_places=2), and at most two after it. No sign, exponent, underscore or other digits,
# which Decimal would read ("+2.00", "1e30", "2_0", "٢.٠٠").
AMOUNT = re.compile(r"[0-9]{1,8}(\.[0-9]{1,2})?")
# An ISO 4217 code, in ASCII letters: some gateways write it in lower case ("mad"), which means the same.
CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


def parse_amount(text):
    """An amount as a provider writes it ("2.00", or a JSON number read as Decimal or int): an exact decimal that
    the records can hold, never a float; ValueError otherwise."""
    if not isinstance(text, (str, int, Decimal)) or isinstance(text, bool):
        raise ValueError(f"Not an amount: {text!r}")
    written = text.strip(string.whitespace) if isinstance(text, str) else str(text)
    if not AMOUNT.fullmatch(written):
        raise ValueError(f"Not an amount: {text!r}")
    return Decimal(written).quantize(Decimal("0.01"))


def parse_currency(text):
    """An ISO 4217 code, as the provider wrote it, in capitals; ValueError otherwise."""
    if not isinstance(text, str) or not CURRENCY_CODE.fullmatch(text.strip(string.whitespace)):
        raise ValueError(f"Not a currency: {text!r}")
    return text.strip(string.whitespace).upper()


@dataclass(frozen=True)
class Outcome:
    """What the provider says of a payment: which one, whether it was paid, the sum and currency it took, and its
    own reference."""

    reference: str
    paid: bool
    amount: Decimal
    currency: str
    provider_reference: str = ""


@dataclass(frozen=True)
class PaymentStatus:
    """The provider's word on one payment (`PaymentProvider.status`): its verdict and, when it took the money or
    declined, the outcome to settle (what it took, its reference)."""

    verdict: Verdict
    outcome: Outcome | None = None


@dataclass(frozen=True)
class StatementLine:
    """A movement in the provider's statement: money taken (paid) or given back (refunded) for a reference."""

    reference: str
    amount: Decimal
    currency: str
    state: StatementState
    date: date


class PaymentProvider(ABC):
    """The interface every gateway implements; a class missing one of these methods cannot be instantiated."""

    name = ""

    @abstractmethod
    def start(self, payment):
        """The address to send the payer to."""

    @abstractmethod
    def outcome(self, request):
        """The verified outcome carried by the provider's return or notification; raises signing.BadSignature
        (or ValueError, KeyError) when the message is not genuine or not complete."""

    @abstractmethod
    def status(self, payment):
        """Where the payment stands at the provider, as a PaymentStatus: PAID with the Outcome of the money taken
        (the sum, currency and its reference, as in its answer), DECLINED with an unpaid Outcome, ABANDONED (the
        payer left its page, nothing taken) or UNKNOWN (no final word yet). Raises ProviderError when the provider
        cannot be asked; money taken answers PAID whatever happened to the payment since."""

    @abstractmethod
    def refund(self, payment, *, amount, currency, idempotency_key):
        """Give `amount` back for the payment; returns the provider's reference of the refund, or raises
        ProviderError. Asked again with the same key, the provider refunds once and answers the same."""

    @abstractmethod
    def statement(self, date_from, date_to):
        """The provider's movements between the two dates (included), as StatementLine."""


class SimulatedProvider(PaymentProvider):
    """A working stand-in for the gateway: its page (payments:simulated) lets the payer pay, pay short (to try the
    mismatch) or decline. Its answer carries the sum and currency it took and comes back signed with HMAC-SHA256
    under the site's key and its own salt, and dated, as a real gateway signs its own with the merchant's key."""

    name = "simulated"
    SALT = "raqmana.payments.simulated"
    MAX_AGE = 3600

    def __init__(self):
        if not (settings.DEBUG or settings.TESTING):
            raise ImproperlyConfigured(_("The simulated payment provider is for development only."))

    def start(self, payment):
        return reverse("payments:simulated", args=[payment.reference])

    def answer(self, payment, paid, *, amount=None, currency=CURRENCY):
        """The signed message the simulated gateway sends back after the payer's choice; the payment, or the
        decline, is written in its books first, as the money is taken before the answer leaves. A reference it has
        already taken money for is not charged again (a real gateway refuses an order number twice): the answer
        repeats that payment."""
        amount = payment.amount if amount is None else amount
        provider_reference = ""
        if paid:
            taken = self._taken(payment)
            if taken is not None:
                amount, currency, provider_reference = taken.amount, taken.currency, taken.provider_reference
            else:
                provider_reference = f"SIM-{secrets.token_hex(6).upper()}"
                SimulatedGatewayEntry.objects.create(
                    reference=payment.reference,
                    state=StatementState.PAID,
                    amount=amount,
                    currency=currency,
                    provider_reference=provider_reference,
                )
        else:
            SimulatedGatewayAttempt.objects.create(reference=payment.reference, outcome=GatewayAttempt.DECLINED)
        message = {
            "reference": payment.reference,
            "paid": paid,
            "amount": f"{amount:.2f}",
            "currency": currency,
            "provider_reference": provider_reference,
        }
        token = signing.dumps(message, salt=self.SALT)
        return f"{reverse('payments:returned', args=[self.name])}?token={token}"

    def abandon(self, payment):
        """The payer leaves the page without paying: booked, and no answer is sent (as when the page is closed)."""
        SimulatedGatewayAttempt.objects.create(reference=payment.reference, outcome=GatewayAttempt.ABANDONED)

    def status(self, payment):
        taken = self._taken(payment)
        if taken is not None:
            return PaymentStatus(
                Verdict.PAID,
                Outcome(payment.reference, True, taken.amount, taken.currency, taken.provider_reference),
            )
        last = SimulatedGatewayAttempt.objects.filter(reference=payment.reference).last()
        if last is None:
            return PaymentStatus(Verdict.UNKNOWN)
        if last.outcome == GatewayAttempt.DECLINED:
            return PaymentStatus(Verdict.DECLINED, Outcome(payment.reference, False, payment.amount, CURRENCY))
        return PaymentStatus(Verdict.ABANDONED)

    def _taken(self, payment):
        """The money the gateway took for the payment, if any."""
        return SimulatedGatewayEntry.objects.filter(reference=payment.reference, state=StatementState.PAID).first()

    def outcome(self, request):
        data = signing.loads(request.GET.get("token", ""), salt=self.SALT, max_age=self.MAX_AGE)
        return Outcome(
            reference=data["reference"],
            paid=bool(data["paid"]),
            amount=parse_amount(data["amount"]),
            currency=parse_currency(data["currency"]),
            provider_reference=data["provider_reference"],
        )

    def refund(self, payment, *, amount, currency, idempotency_key):
        done = SimulatedGatewayEntry.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return done.provider_reference
        books = SimulatedGatewayEntry.objects.filter(reference=payment.reference, currency=currency)
        taken = books.filter(state=StatementState.PAID).aggregate(total=Sum("amount"))["total"] or 0
        given = books.filter(state=StatementState.REFUNDED).aggregate(total=Sum("amount"))["total"] or 0
        if amount > taken - given:
            raise ProviderError(f"Refund of {amount} {currency} refused: {taken - given} {currency} left to refund.")
        try:
            with transaction.atomic():
                entry = SimulatedGatewayEntry.objects.create(
                    reference=payment.reference,
                    state=StatementState.REFUNDED,
                    amount=amount,
                    currency=currency,
                    provider_reference=f"SIM-REFUND-{secrets.token_hex(6).upper()}",
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:  # the same key asked at the same time: the other call refunded
            entry = SimulatedGatewayEntry.objects.get(idempotency_key=idempotency_key)
        return entry.provider_reference

    def statement(self, date_from, date_to):
        entries = SimulatedGatewayEntry.objects.filter(at__date__range=(date_from, date_to))
        return [
            StatementLine(
                entry.reference, entry.amount, entry.currency, StatementState(entry.state), timezone.localdate(entry.at)
            )
            for entry in entries
        ]


def payment_provider():
    """The configured provider, or None when online payment is not configured."""
    if not settings.RAQMANA_PAYMENT_PROVIDER:
        return None
    return import_string(settings.RAQMANA_PAYMENT_PROVIDER)()
