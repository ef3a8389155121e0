"""Reads of payments: the tariff in force, the collectivity a service is paid to, the payments to ask the provider
about."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

from .constants import COLLECTIVITY_LEVELS, PaymentState
from .models import Fee, Payment, PaymentTransition


def fee_in_force(code: str, collectivity: Territory, on: date | None = None) -> Fee:
    """The tariff of `code` that applies in `collectivity` on the day `on` (today by default): the
    collectivity's own row, else the national tariff (a row without collectivity).

    The national row is the default because the amounts the platform charges today are set by law for the
    whole country (the 2 DH stamp duty on an extract, the 50 DH of a family booklet: DOMAIN.md), and Law 55-19
    lets an administration demand only the fees published in the national catalogue: a collectivity that has
    published none of its own charges the national one. A province's tariff does not reach its communes: each
    collectivity levies its own fees. Among the rows in force that day, the one that started last applies (a row
    with no last day runs until the next starts)."""
    on = on or timezone.localdate()
    in_force = Fee.objects.filter(Q(collectivity=collectivity) | Q(collectivity__isnull=True), code=code)
    in_force = in_force.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on), valid_from__lte=on)
    fee = in_force.order_by(F("collectivity").asc(nulls_last=True), "-valid_from").first()
    if fee is None:
        raise ValidationError(
            _("No tariff is in force for this service on %(day)s: pay at the office's counter."), params={"day": on}
        )
    return fee


def collectivity_of(territory: Territory) -> Territory:
    """The collectivity a service rendered in `territory` is paid to: the territory itself when it is one, the
    commune of an arrondissement (which is not a legal person of its own)."""
    if territory.level in COLLECTIVITY_LEVELS:
        return territory
    return Territory.objects.get(level=Level.COMMUNE, descendant_links__descendant=territory)


def payments_to_confirm(provider: str, *, pending_since: datetime, stepped_since: datetime) -> QuerySet[Payment]:
    """The payments of `provider` to ask it about: pending since before `pending_since`, or failed or cancelled
    with their last step after `stepped_since` (money may still come for them), oldest first."""
    pending = Q(state=PaymentState.PENDING, created_at__lte=pending_since)
    stepped_lately = Exists(PaymentTransition.objects.filter(payment=OuterRef("pk"), at__gte=stepped_since))
    unpaid_lately = Q(stepped_lately, state__in=[PaymentState.FAILED, PaymentState.CANCELLED])
    return Payment.objects.filter(pending | unpaid_lately, provider=provider).order_by("created_at", "pk")


def awaiting_confirmation(payment: Payment, *, now: datetime | None = None) -> bool:
    """A payment still pending RAQMANA_PAYMENT_CONFIRMATION_MINUTES after it was created: its payer may have paid
    and the answer not arrived yet; the provider is being asked (confirmations.settle_pending_payments)."""
    return payment.state == PaymentState.PENDING and confirmation_asked_from(payment) <= (now or timezone.now())


def confirmation_asked_from(payment: Payment) -> datetime:
    """When a payment still pending starts being asked about at the provider (`awaiting_confirmation`)."""
    return payment.created_at + timedelta(minutes=settings.RAQMANA_PAYMENT_CONFIRMATION_MINUTES)


def open_to_pay(payment: Payment) -> bool:
    """Whether the payer may still pay `payment` on the provider's page: nothing was taken for it and it was not
    cancelled (pending, or declined and to be tried again). A payment taken, given back, or expired is not paid
    twice: the gateway's page refuses it."""
    return payment.state in {PaymentState.PENDING, PaymentState.FAILED}
