import logging
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from raqmana.kernel.numbers import isolated_money, with_amounts

from . import services
from .constants import PaymentState
from .models import Payment
from .providers import SimulatedProvider, payment_provider

logger = logging.getLogger(__name__)


@login_required
def simulated(request, reference):
    """The simulated gateway's page: the payer pays or declines, as on the Treasury's page, pays half, to try how a
    sum other than owed is handled, or leaves without paying (no answer is sent: the provider is asked later)."""
    provider = payment_provider()
    if not isinstance(provider, SimulatedProvider):
        raise Http404
    payment = get_object_or_404(Payment, reference=reference, payer=request.user)
    if request.method == "POST" and payment.state in {PaymentState.PENDING, PaymentState.FAILED}:
        choice = request.POST.get("choice")
        if choice == "leave":
            provider.abandon(payment)
            messages.info(request, _("You left the payment page without paying: the order waits for its payment."))
            return redirect(payment.return_url)
        half = (payment.amount / 2).quantize(Decimal("0.01")) if choice == "half" else None
        return redirect(provider.answer(payment, paid=choice in {"pay", "half"}, amount=half))
    return render(request, "payments/simulated.html", {"payment": payment})


def returned(request, provider_name):
    """Where the provider sends the payer back (and, for real gateways, its notification) with the outcome."""
    provider = payment_provider()
    if provider is None or provider.name != provider_name:
        raise Http404
    try:
        outcome = provider.outcome(request)
    except (signing.BadSignature, ValueError, KeyError):
        return HttpResponseBadRequest(_("This payment answer is not genuine."))
    # Read first: should settling fail with the connection cut, the payer is still sent back without the database.
    return_url = Payment.objects.filter(reference=outcome.reference).values_list("return_url", flat=True).first()
    try:
        payment = services.settle(outcome)
    except (Payment.DoesNotExist, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("Unknown payment.")])))
        return redirect("portal:home")
    except Exception:  # the answer is genuine and the provider keeps the money: the periodic job settles it
        logger.exception("Settling payment %s failed: settle_pending_payments takes it up.", outcome.reference)
        messages.info(request, _("Your payment is being confirmed with the bank; you do not need to pay again."))
        return redirect(return_url or "portal:home")
    if payment.state == PaymentState.PAID:
        messages.success(
            request, with_amounts(_("Payment received: %(amount)s."), amount=isolated_money(payment.amount))
        )
    elif payment.state == PaymentState.MISMATCHED:
        messages.error(
            request,
            with_amounts(
                _(
                    "The sum received (%(received)s) is not the sum owed (%(amount)s): nothing is issued for it. "
                    "The payment is reviewed and the sum received given back."
                ),
                received=isolated_money(payment.received_amount, payment.received_currency),
                amount=isolated_money(payment.amount),
            ),
        )
    elif payment.state == PaymentState.REFUNDED:
        messages.error(
            request,
            with_amounts(
                _("The payment arrived after the request was cancelled: the %(received)s are given back."),
                received=isolated_money(payment.received_amount, payment.received_currency),
            ),
        )
    else:
        messages.error(request, _("The payment was declined. You can try again."))
    return redirect(payment.return_url)
