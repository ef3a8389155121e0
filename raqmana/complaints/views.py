"""The complaints' pages: filing a request and following it (in one's account, or with a number and a code for an
anonymous observation), rating or re-opening its answer; the commune's queue, late ones in red, and each request's
handling; the public figures. Thin: the services decide, the selectors read (scoped, logged); a refusal is shown
beside what was typed."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from raqmana.access.audiences import open_to
from raqmana.access.checking import has_permission
from raqmana.accounts.decorators import contact_verified_required
from raqmana.documents import selectors as document_selectors
from raqmana.documents.constants import PDF_NOT_STORED
from raqmana.kernel.navigation import ANYONE, SIGNED_IN
from raqmana.kernel.paging import page_of
from raqmana.kernel.refusals import show_refusal

from . import forms, rules, selectors, services
from .constants import OPEN_STATES, ComplaintState
from .models import Complaint

QUEUE_PER_PAGE = 25
READ = "complaints.complaint.read"


def _may_reopen(found: Complaint) -> bool:
    if found.state != ComplaintState.ANSWERED:
        return False
    try:
        rules.check_reopening(found.answered_at, found.reopened_at, timezone.now())
    except ValidationError:
        return False
    return True


def _complaint_page(request: HttpRequest, found: Complaint, **bound: Any) -> HttpResponse:
    context = {
        "complaint": found,
        "show_files": True,
        "history": found.transitions.select_related("by").order_by("at", "pk"),
        "late": selectors.is_late(found),
        "rate_form": bound.get("rate_form") or forms.RateForm(initial={"rating": found.rating or None}),
        "reopen_form": bound.get("reopen_form") or forms.ReopenForm(),
        "may_reopen": _may_reopen(found),
    }
    return render(request, "complaints/complaint.html", context)


@open_to(SIGNED_IN)
def mine(request: HttpRequest) -> HttpResponse:
    own = selectors.complaints_of(request.user)
    page = page_of(lambda: own.order_by("-filed_at", "-pk"), 20, request.GET.get("page"))
    return render(request, "complaints/mine.html", {"page": page})


@open_to(SIGNED_IN)
@contact_verified_required
def file(request: HttpRequest) -> HttpResponse:
    form = forms.FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint, code = services.file_complaint(
                by=request.user,
                kind=data["kind"],
                category=data["category"],
                collectivity=selectors.collectivity_of(data["commune"], data["level"]),
                subject=data["subject"],
                text=data["text"],
                service=data["service"],
                anonymous=data["anonymous"],
                files=data["files"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            if code:  # shown once: only its hash is kept
                return render(request, "complaints/filed_anonymously.html", {"complaint": complaint, "code": code})
            received = _("Your request is received under number %(reference)s.")
            messages.success(request, received % {"reference": complaint.reference})
            return redirect("complaints:complaint", complaint.pk)
    return render(request, "complaints/file.html", {"form": form})


@open_to(ANYONE)
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
def follow(request: HttpRequest) -> HttpResponse:
    """An anonymous observation, followed with its number and code (tries limited per address)."""
    form = forms.FollowForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        if getattr(request, "limited", False):
            form.add_error(None, _("Too many tries from your connection: wait an hour and try again."))
        else:
            found = selectors.followed(form.cleaned_data["reference"], form.cleaned_data["code"])
            if found is None:
                form.add_error(None, _("No request has this number and code."))
    return render(request, "complaints/follow.html", {"form": form, "complaint": found})


@open_to(SIGNED_IN)
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    return _complaint_page(request, selectors.own_complaint(request.user, pk))


@open_to(SIGNED_IN)
def answer_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.own_complaint(request.user, pk)
    if found.answer is None:
        raise Http404(_("No such document."))
    try:
        pdf = document_selectors.open_pdf(request.user, found.answer)
    except FileNotFoundError:
        messages.error(request, PDF_NOT_STORED)
        return redirect("complaints:complaint", found.pk)
    return FileResponse(
        pdf, content_type="application/pdf", as_attachment=True, filename=f"{found.answer.verification_code}.pdf"
    )


@open_to(SIGNED_IN)
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A request's file, for its complainant or the agents of its collectivity (their opening logged)."""
    found = selectors.attachment_for(request.user, pk)
    if found is None:
        raise Http404(_("No such file."))
    try:
        opened = found.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such file.")) from None
    return FileResponse(opened, as_attachment=True, filename=found.name)


@open_to(SIGNED_IN)
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.own_complaint(request.user, pk)
    form = forms.RateForm(request.POST)
    if form.is_valid():
        try:
            services.rate(found, by=request.user, rating=form.cleaned_data["rating"])
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Thank you: your opinion of the answer is recorded."))
            return redirect("complaints:complaint", found.pk)
    return _complaint_page(request, found, rate_form=form)


@open_to(SIGNED_IN)
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.own_complaint(request.user, pk)
    form = forms.ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen(found, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Your request is re-opened: the collectivity answers it again."))
            return redirect("complaints:complaint", found.pk)
    return _complaint_page(request, found, reopen_form=form)


@open_to(ANYONE)
def figures(request: HttpRequest) -> HttpResponse:
    """Per collectivity, the requests of a year: aggregates only."""
    form = forms.FiguresForm(request.GET or None)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    rows = selectors.public_figures(year)
    chosen = request.GET.get("collectivity", "")
    months = selectors.monthly_delays(year, int(chosen)) if chosen.isdigit() and len(chosen) < 10 else []
    context = {"form": form, "year": year, "rows": rows, "months": months, "chosen": chosen}
    return render(request, "complaints/figures.html", context)


# The collectivity's handlers and supervisors


@open_to(READ)
def queue(request: HttpRequest) -> HttpResponse:
    filters = forms.QueueFilterForm(request.GET or None)
    state, late = "", False
    if filters.is_valid():
        state, late = filters.cleaned_data["state"], filters.cleaned_data["late"]
    now = timezone.now()
    page = page_of(
        lambda: selectors.queue(request.user, state=state, late=late, now=now), QUEUE_PER_PAGE, request.GET.get("page")
    )
    rows = [(one, selectors.is_late(one, now)) for one in page]
    return render(request, "complaints/queue.html", {"page": page, "rows": rows, "filters": filters})


def _handle_page(request: HttpRequest, found: Complaint, **bound: Any) -> HttpResponse:
    may_handle = has_permission(request.user, "complaints.complaint.handle", found.collectivity)
    context = {
        "complaint": found,
        "show_files": True,
        "history": found.transitions.select_related("by").order_by("at", "pk"),
        "late": selectors.is_late(found),
        "open": found.state in OPEN_STATES,
        "may_handle": may_handle,
        "forward_form": bound.get("forward_form")
        or forms.ForwardForm(initial={"kind": found.kind, "category": found.category, "forwarded_to": found.service}),
        "answer_form": bound.get("answer_form") or forms.AnswerForm(),
        "not_admissible_form": bound.get("not_admissible_form") or forms.NotAdmissibleForm(),
    }
    return render(request, "complaints/handle.html", context)


@open_to(READ)
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    return _handle_page(request, selectors.complaint_for_agent(request.user, pk))


def _step(request: HttpRequest, pk: int, name: str, form: Any, act: Any, done: str) -> HttpResponse:
    found = selectors.complaint_for_agent(request.user, pk)
    if form.is_valid():
        try:
            act(found, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, done)
            return redirect("complaints:handle", found.pk)
    return _handle_page(request, found, **{name: form})


@open_to(READ)
@require_POST
def forward(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "forward_form",
        forms.ForwardForm(request.POST),
        lambda found, data: services.forward(
            found, by=request.user, forwarded_to=data["forwarded_to"], kind=data["kind"], category=data["category"]
        ),
        _("The request is forwarded; the complainant is told."),
    )


@open_to(READ)
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "answer_form",
        forms.AnswerForm(request.POST),
        lambda found, data: services.answer(found, by=request.user, text=data["answer_text"], outcome=data["outcome"]),
        _("The answer is sealed and sent to the complainant."),
    )


@open_to(READ)
@require_POST
def not_admissible(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "not_admissible_form",
        forms.NotAdmissibleForm(request.POST),
        lambda found, data: services.close_not_admissible(found, by=request.user, reasons=data["reasons"]),
        _("The request is closed as not admissible; the complainant is told why."),
    )
