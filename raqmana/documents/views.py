from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from raqmana.access.checking import has_permission, units_where
from raqmana.accounts.decorators import contact_verified_required
from raqmana.civil_status.forms import REASON_LABELS
from raqmana.kernel.refusals import refusal_text
from raqmana.kernel.uploads import MAX_UPLOAD_BYTES
from raqmana.payments import services as payment_services

from . import pki, selectors, services, timestamping
from .constants import ACT_KIND_OF, DocumentKind, OrderState
from .forms import (
    ActLookupForm,
    IssueForm,
    OrderForm,
    OrderLookupForm,
    RefuseForm,
    RevokeForm,
    VerifyCodeForm,
    VerifyFileForm,
)

ISSUING_READ_REASON = REASON_LABELS["extract"]
# Verification is public: enough for a person or a desk checking documents, not for enumerating codes.
VERIFY_RATE = "30/m"
UPLOAD_RATE = "10/m"
# A citizen finds an act by its reference, date and first name: enough for a family's orders, too few to try
# dates. Counted per account, the page and the API together.
LOOKUP_RATE = "30/h"
ORDER_LOOKUPS = "documents.order_lookup"
# An agent's lookups at the counter, counted together on the screens and in the API (the rate is a setting).
COUNTER_LOOKUPS = "documents.counter_lookup"
COUNTER_LIMIT_REACHED = gettext_lazy(
    "You have looked up more acts than the limit allows (%(rate)s). Lookups resume when the period ends; the "
    "officer of your office and the provincial inspector are told."
)
NO_ACT_WITH_THESE_FACTS = gettext_lazy(
    "No signed act has this IDCS or reference with this date of birth or first name. Check them with the requester."
)
PDF_NOT_STORED = gettext_lazy(
    "The sealed PDF of this document could not be stored. Ask an officer of the issuing office to revoke it and "
    "issue it again."
)


def counter_lookup_refused(request, office, lookup):
    """Count an agent's act lookup at `office` against RAQMANA_COUNTER_LOOKUP_RATE and say whether it goes past
    the limit. The first lookup past it alerts the office's supervisors: once per period, not once per request."""
    rate = settings.RAQMANA_COUNTER_LOOKUP_RATE
    refused, first_refused = _count_lookup(request, COUNTER_LOOKUPS, rate, lookup)
    if first_refused:
        services.report_lookup_limit(request.user, office, rate)
    return refused


def order_lookup_refused(request, lookup):
    """Count a citizen's act lookup against LOOKUP_RATE and say whether it goes past the limit; the first one
    past it is kept in the audit trail, once per period."""
    refused, first_refused = _count_lookup(request, ORDER_LOOKUPS, LOOKUP_RATE, lookup)
    if first_refused:
        services.report_order_lookup_limit(request.user, LOOKUP_RATE)
    return refused


def _count_lookup(request, group, rate, lookup):
    """Count one lookup of the user's in `group`, in the shared cache (the screens and the API together), against
    `rate`: (refused, first_refused). The same `lookup` as the last one counted (a form posted for the act just
    found, a page reloaded) is not counted again: it shows nothing new."""
    last_counted = f"{group}.last_counted"
    if request.session.get(last_counted) == lookup:
        return False, False
    usage = get_usage(request, group=group, key="user", rate=rate, increment=True)
    if usage is None:  # rate limits switched off
        return False, False
    if not usage["should_limit"]:
        request.session[last_counted] = lookup
    return usage["should_limit"], usage["count"] == usage["limit"] + 1


@login_required
def counter(request):
    """The counter: find the act the requester names, anywhere in the register, and issue the document."""
    offices = units_where(request.user, "documents.document.issue")
    if not offices:
        raise PermissionDenied
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
            return render(request, "documents/counter.html", context, status=429)
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
    return render(request, "documents/counter.html", {**context, "act": act, "form": form})


def _visible_document(request, pk):
    return get_object_or_404(selectors.documents_visible_to(request.user), pk=pk)


@login_required
def document_detail(request, pk):
    document = _visible_document(request, pk)
    status, since = selectors.status_of(document)
    context = {
        "document": document,
        "status": status,
        "since": since,
        "may_revoke": not document.revoked_at
        and has_permission(request.user, "documents.document.revoke", at=document.office),
        "revoke_form": RevokeForm(),
    }
    return render(request, "documents/document.html", context)


@login_required
def document_pdf(request, pk):
    document = _visible_document(request, pk)
    try:
        pdf = selectors.open_pdf(request.user, document)
    except FileNotFoundError:
        messages.error(request, PDF_NOT_STORED)
        return redirect("documents:document", document.pk)
    return FileResponse(pdf, content_type="application/pdf", filename=f"{document.verification_code}.pdf")


@login_required
@require_POST
def document_revoke(request, pk):
    document = _visible_document(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_document(document, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("The document is revoked; its verification page says so."))
    else:
        messages.error(request, _("Say why the document is revoked."))
    return redirect("documents:document", document.pk)


@ratelimit(key="ip", rate=VERIFY_RATE, method=["GET", "POST"], block=True)
@ratelimit(key="ip", rate=UPLOAD_RATE, method="POST", block=True)
def verify_start(request):
    """Anyone checks a document: by the code printed on it, or by uploading the PDF (byte for byte)."""
    code_form = VerifyCodeForm(request.GET or None)
    file_form = VerifyFileForm(request.POST or None, request.FILES or None)
    if code_form.is_valid():
        document = selectors.document_by_code(code_form.cleaned_data["code"])
        if document is not None:
            return redirect("documents:verify", document.verification_code)
        code_form.add_error("code", _("No document has this verification code."))
    file_check = None
    if request.method == "POST" and file_form.is_valid():
        upload = file_form.cleaned_data["pdf"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(_("The file is larger than 5 MB: it is not a document issued here."))
            file_check = selectors.check_file(upload.read())
        except ValidationError as error:
            file_form.add_error("pdf", error)
    context = {"code_form": code_form, "file_form": file_form, "file_check": file_check}
    if file_check is not None and file_check.document is not None:
        context.update(_public_view(file_check.document))
    return render(request, "documents/verify_start.html", context)


@ratelimit(key="ip", rate=VERIFY_RATE, block=True)
def verify(request, code):
    document = selectors.document_by_code(code)
    if document is None:
        raise Http404
    return render(request, "documents/verify.html", _public_view(document))


def _public_view(document):
    """What the verification page may show: the document's own content and its status, nothing more."""
    status, since = selectors.status_of(document)
    return {
        "document": document,
        "status": status,
        "since": since,
        "code": services.format_code(document.verification_code),
    }


def _development_ca_only():
    """The development CA's public services exist only with the development signing backend."""
    if settings.RAQMANA_SIGNING_BACKEND != "development":
        raise Http404


@require_GET
def development_crl(request):
    """The development CA's certificate revocation list, at the address its certificates name."""
    _development_ca_only()
    return HttpResponse(pki.development_crl(), content_type="application/pkix-crl")


@csrf_exempt
@require_POST
def development_tsa(request):
    """The development time-stamping authority over HTTP (RFC 3161 § 3.4): a DER request in, a DER answer out."""
    _development_ca_only()
    if request.content_type != "application/timestamp-query":
        return HttpResponse(status=415)
    return HttpResponse(timestamping.development_tsa_answer(request.body), content_type="application/timestamp-reply")


ORDER_READ_REASON = gettext_lazy("Online order of a document")
NO_ACT_FOR_ORDER = gettext_lazy("No act has this IDCS or reference with this date and first name.")


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
            elif ACT_KIND_OF[DocumentKind(data["kind"])] != act.kind:
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
    return render(request, "documents/order_new.html", {"lookup": lookup, "act": act, "form": form})


@login_required
def orders(request):
    return render(request, "documents/orders.html", {"orders": selectors.orders_of(request.user)})


def _own_order(request, pk):
    return get_object_or_404(selectors.orders_of(request.user), pk=pk)


@login_required
def order_detail(request, pk):
    order = _own_order(request, pk)
    context = {"order": order, "transitions": order.transitions.all()}
    if order.document:
        context["status"], context["since"] = selectors.status_of(order.document)
    return render(request, "documents/order.html", context)


@login_required
@contact_verified_required
@require_POST
def order_pay(request, pk):
    order = _own_order(request, pk)
    if order.state != OrderState.AWAITING_PAYMENT:
        return redirect("documents:order", order.pk)
    return redirect(payment_services.checkout_url(order.payment))


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


@login_required
def checks(request):
    """The orders for full copies of this office's acts, waiting for an agent's check."""
    if not units_where(request.user, "documents.order.check"):
        raise PermissionDenied
    return render(request, "documents/checks.html", {"orders": selectors.orders_to_check(request.user)})


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
    return render(request, "documents/check.html", {"order": order, "refuse_form": refuse_form})


@login_required
def check_proof(request, pk):
    order = _order_to_check(request, pk)
    if not order.proof_may_be_opened:  # none, deleted, or not found clean by the virus scanner
        raise Http404
    # Saved, not opened in the office's browser: a second defence should a proof carry what the upload check missed.
    return FileResponse(
        selectors.open_proof(request.user, order), as_attachment=True, filename=order.proof.name.rsplit("/", 1)[-1]
    )
