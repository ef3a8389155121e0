from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from raqmana.access.audiences import open_to
from raqmana.access.checking import units_where
from raqmana.accounts.decorators import contact_verified_required
from raqmana.documents import selectors as document_selectors
from raqmana.documents.constants import PDF_NOT_STORED
from raqmana.kernel.navigation import SIGNED_IN
from raqmana.kernel.personal_pages import kept_until, personal_page
from raqmana.kernel.refusals import refusal_text
from raqmana.payments import services as payment_services
from raqmana.payments.confirmations import confirm_payment
from raqmana.payments.constants import PaymentState
from raqmana.payments.providers import ProviderError
from raqmana.payments.selectors import awaiting_confirmation, confirmation_asked_from, open_to_pay

from . import rules, selectors, services
from .constants import ACT_KIND_OF, CivilStatusDocument, OrderState
from .forms import ActLookupForm, IssueForm, OrderForm, OrderLookupForm, RefuseForm
from .lookups import (
    COUNTER_LIMIT_REACHED,
    ISSUING_READ_REASON,
    NO_ACT_FOR_ORDER,
    NO_ACT_WITH_THESE_FACTS,
    ORDER_READ_REASON,
    counter_lookup_refused,
    order_lookup_refused,
)


@open_to("documents.document.issue")
def counter(request):
    """The counter: find the act the requester names, anywhere in the register, and issue the document."""
    offices = units_where(request.user, "documents.document.issue")  # held at offices only (roles.ROLE_PLACE)
    office = next(
        (o for o in offices if str(o.pk) == request.POST.get("office", request.GET.get("office"))), offices[0]
    )
    lookup = ActLookupForm(request.GET or None)
    act, form = None, None
    context = {"offices": offices, "office": office, "lookup": lookup}
    if lookup.is_valid():
        facts = lookup.cleaned_data
        asked = [office.pk, facts["reference"], str(facts["birth_date"] or ""), facts["first_name"]]
        if counter_lookup_refused(request, office, asked):
            context["refused"] = COUNTER_LIMIT_REACHED % {"rate": settings.RAQMANA_COUNTER_LOOKUP_RATE}
            return render(request, "civil_status_documents/counter.html", context, status=429)
        try:
            act = selectors.act_for_issuance(
                request.user,
                office,
                facts["reference"],
                birth_date=facts["birth_date"],
                first_name=facts["first_name"],
                reason=ISSUING_READ_REASON,
            )
        except ValidationError as error:
            lookup.add_error("reference", error)
        else:
            if act is None:
                lookup.add_error(None, NO_ACT_WITH_THESE_FACTS)
    if act is not None:
        form = IssueForm(request.POST or None, act_kind=act.kind)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            requester = {
                "name": data["requester_name"],
                "document": data["requester_document"],
                "relation": data["requester_relation"],
                "mandate": data["mandate_reference"],
            }
            try:
                document = services.issue_at_counter(
                    act, data["kind"], office=office, by=request.user, requester=requester, purpose=data["purpose"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The document is issued and sealed."))
                return redirect("documents:document", document.pk)
    return render(request, "civil_status_documents/counter.html", {**context, "act": act, "form": form})


@login_required
@contact_verified_required
def order_new(request):
    """A citizen orders a document from any act of the national register; then pays."""
    lookup = OrderLookupForm(request.GET or None)
    act, form = None, None
    if lookup.is_valid():
        data = lookup.cleaned_data
        if order_lookup_refused(request, [data["reference"], str(data["event_date"]), data["first_name"]]):
            raise Ratelimited
        try:
            act = selectors.act_for_order(
                request.user, data["reference"], data["event_date"], data["first_name"], reason=ORDER_READ_REASON
            )
        except ValidationError as error:
            lookup.add_error("reference", error)
        else:
            if act is None:
                lookup.add_error(None, NO_ACT_FOR_ORDER)
            elif ACT_KIND_OF[CivilStatusDocument(data["kind"])] != act.kind:
                lookup.add_error("kind", _("This document is not drawn from this kind of act."))
                act = None
    if act is not None:
        form = OrderForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                order = services.place_order(
                    request.user,
                    act,
                    lookup.cleaned_data["kind"],
                    relation=data["requester_relation"],
                    mandate_reference=data["mandate_reference"],
                    purpose=data["purpose"],
                    proof=data["proof"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(payment_services.checkout_url(order.payment))
    fee = selectors.order_fee(act, lookup.cleaned_data["kind"]) if act is not None else None
    return render(
        request, "civil_status_documents/order_new.html", {"lookup": lookup, "act": act, "form": form, "fee": fee}
    )


ORDERS_PER_PAGE = 20

# How often a citizen may ask the bank about a payment ("check now"); the periodic job asks anyway.
PAYMENT_CHECK_RATE = "10/h"


def payment_news(order):
    """What the citizen reads of the order's payment:
    - "received" once paid while the document is on its way, whatever the order's state behind (issued at once,
      waiting for the office's check, or passed to an agent after a failed automatic issue);
    - "confirming" while the payment is pending past the confirmation threshold (the bank is being asked);
    - "mismatched" when the bank took a sum or currency other than owed: nothing is issued for it, the office or
      the administration reviews it and gives the sum back (the order waits, or was cancelled or expired meanwhile);
    - "refunded" once money taken for the order is given back (a mismatch reviewed, or a payment that arrived after
      the order was cancelled or expired; a refused order says its refund itself);
    - "expired" when the confirmation job cancelled the payment unpaid past its expiry while the order's own clock
      has not yet run out: the order expires too (its payment cannot be paid again: the order is tied to it);
    else nothing."""
    payment = order.payment
    if payment is None:
        return ""
    if payment.state == PaymentState.MISMATCHED:
        return "mismatched"
    if payment.state == PaymentState.REFUNDED:
        return "" if order.state == OrderState.REFUSED else "refunded"
    if order.state not in {OrderState.AWAITING_PAYMENT, OrderState.AWAITING_CHECK}:
        return ""
    if payment.state == PaymentState.PAID:
        return "received"
    if order.state == OrderState.AWAITING_PAYMENT and awaiting_confirmation(payment):
        return "confirming"
    if order.state == OrderState.AWAITING_PAYMENT and payment.state == PaymentState.CANCELLED:
        return "expired"
    return ""


def payment_news_changes_at(order):
    """When what the citizen reads of the order's payment changes with the time alone (a pending payment starts being
    confirmed with the bank, `payment_news`), or None."""
    payment = order.payment
    if order.state != OrderState.AWAITING_PAYMENT or payment is None or payment.state != PaymentState.PENDING:
        return None
    moment = confirmation_asked_from(payment)
    return moment if moment > timezone.now() else None


def may_pay(order):
    """Whether "Pay" leads the citizen to a gateway page that takes the payment: the order awaits it and its payment
    is still open (not taken, given back or expired)."""
    return order.state == OrderState.AWAITING_PAYMENT and order.payment is not None and open_to_pay(order.payment)


@open_to(SIGNED_IN)
@personal_page(query=("page",))
def orders(request):
    orders = selectors.orders_page(request.user, request.GET.get("page"), ORDERS_PER_PAGE)
    for order in orders:
        order.payment_news = payment_news(order)
        if (moment := payment_news_changes_at(order)) is not None:
            kept_until(request, moment)
    return render(request, "civil_status_documents/orders.html", {"orders": orders})


def _own_order(request, pk):
    return get_object_or_404(selectors.orders_of(request.user), pk=pk)


@login_required
def order_detail(request, pk):
    order = _own_order(request, pk)
    context = {
        "order": order,
        "transitions": order.transitions.all(),
        "payment_news": payment_news(order),
        "may_pay": may_pay(order),
        "proof_checked": not rules.issued_without_check(order.kind),  # else an agent issues after a failed issue
    }
    if order.document:
        context["status"], context["since"] = document_selectors.status_of(order.document)
    return render(request, "civil_status_documents/order.html", context)


@login_required
@contact_verified_required
@require_POST
def order_pay(request, pk):
    order = _own_order(request, pk)
    if not may_pay(order):  # a page left open while the payment was taken, expired or given back
        return redirect("documents:order", order.pk)
    return redirect(payment_services.checkout_url(order.payment))


@login_required
@require_POST
@ratelimit(key="user", rate=PAYMENT_CHECK_RATE, block=True)
def order_check_payment(request, pk):
    """The citizen asks the bank now about a payment it has not confirmed: the same service as the periodic job,
    for this one payment (idempotent: a payment already settled is not asked about)."""
    order = _own_order(request, pk)
    if order.state != OrderState.AWAITING_PAYMENT or order.payment.state != PaymentState.PENDING:
        return redirect("documents:order", order.pk)
    try:
        payment = confirm_payment(order.payment)
    except ProviderError:
        messages.error(request, _("The bank could not be reached: it is asked again in a few minutes."))
        return redirect("documents:order", order.pk)
    if payment.state == PaymentState.PENDING:
        messages.info(request, _("The bank has not confirmed a payment yet. If you have paid, it is asked again."))
    return redirect("documents:order", order.pk)


@login_required
@require_POST
def order_cancel(request, pk):
    order = _own_order(request, pk)
    try:
        services.cancel_order(order, by=request.user)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    return redirect("documents:order", order.pk)


@login_required
def order_pdf(request, pk):
    order = _own_order(request, pk)
    if order.document is None:
        raise Http404
    try:
        pdf = order.document.pdf.open("rb")
    except FileNotFoundError:
        messages.error(request, PDF_NOT_STORED)
        return redirect("documents:order", order.pk)
    return FileResponse(
        pdf, content_type="application/pdf", as_attachment=True, filename=f"{order.document.verification_code}.pdf"
    )


@open_to("civil_status_documents.order.check")
def checks(request):
    """The orders for full copies of this office's acts, waiting for an agent's check."""
    orders = Paginator(selectors.orders_to_check(request.user), ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "civil_status_documents/checks.html", {"orders": orders})


def _order_to_check(request, pk):
    return get_object_or_404(selectors.orders_to_check(request.user), pk=pk)


@login_required
def check_detail(request, pk):
    order = _order_to_check(request, pk)
    refuse_form = RefuseForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve":
                services.approve_order(order, by=request.user)
                messages.success(request, _("The document is issued; the citizen is told."))
                return redirect("documents:checks")
            if refuse_form.is_valid():
                services.refuse_order(order, by=request.user, reason=refuse_form.cleaned_data["reason"])
                messages.success(request, _("The order is refused and refunded; the citizen is told."))
                return redirect("documents:checks")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
    return render(request, "civil_status_documents/check.html", {"order": order, "refuse_form": refuse_form})


@login_required
def check_proof(request, pk):
    order = _order_to_check(request, pk)
    if not order.proof_may_be_opened:  # none, deleted, or not found clean by the virus scanner
        raise Http404
    # Saved, not opened in the office's browser: a second defence should a proof carry what the upload check missed.
    return FileResponse(
        selectors.open_proof(request.user, order), as_attachment=True, filename=order.proof.name.rsplit("/", 1)[-1]
    )
