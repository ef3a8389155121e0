"""The legalisation's pages: a citizen's enrolment and requests (prepare, follow, withdraw, download the legalised
PDF); the office's requests waiting, each one completed or refused, the counter (legalise or certify at once), the
enrolment of a signer, and the register of the year; the public figures per office. Thin: the services decide, the
selectors read (scoped, logged); a refusal is shown beside what was typed."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from raqmana.access.audiences import open_to
from raqmana.access.checking import has_permission
from raqmana.accounts.decorators import contact_verified_required
from raqmana.documents import selectors as document_selectors
from raqmana.documents.constants import PDF_NOT_STORED
from raqmana.kernel.navigation import ANYONE, SIGNED_IN
from raqmana.kernel.paging import page_of
from raqmana.kernel.refusals import show_refusal

from . import forms, selectors, services
from .constants import RequestState
from .models import LegalisationRequest

READ = "legalisation.request.read"
HANDLE = "legalisation.request.handle"
PER_PAGE = 25


def _document_of(form: forms.DocumentFields) -> services.Document:
    data = form.cleaned_data
    return services.Document(
        subject=data["subject"],
        file=data["document"],
        stamp_page=data["stamp_page"],
        stamp_place=data["stamp_place"],
        copies=data["copies"],
    )


def _pdf(request: HttpRequest, found: LegalisationRequest, back: str) -> HttpResponse:
    if found.output is None:
        raise Http404(_("No such document."))
    try:
        pdf = document_selectors.open_pdf(request.user, found.output)
    except FileNotFoundError:
        messages.error(request, PDF_NOT_STORED)
        return redirect(back, found.pk)
    return FileResponse(
        pdf, content_type="application/pdf", as_attachment=True, filename=f"{found.output.verification_code}.pdf"
    )


@open_to(SIGNED_IN)
def mine(request: HttpRequest) -> HttpResponse:
    own = selectors.requests_of(request.user)
    page = page_of(lambda: own.order_by("-prepared_at", "-pk"), 20, request.GET.get("page"))
    context = {"page": page, "enrolment": selectors.enrolment_of(request.user)}
    return render(request, "legalisation/mine.html", context)


@open_to(SIGNED_IN)
@contact_verified_required
def prepare(request: HttpRequest) -> HttpResponse:
    form = forms.PrepareForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            office = selectors.office_of(form.cleaned_data["commune"])
            prepared = services.prepare_request(
                by=request.user, service=form.cleaned_data["service"], office=office, document=_document_of(form)
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error, {"office": "commune"})
        else:
            messages.success(request, _("Your request is prepared: take your identity card to the office."))
            return redirect("legalisation:request", prepared.pk)
    context = {"form": form, "enrolment": selectors.enrolment_of(request.user)}
    return render(request, "legalisation/prepare.html", context)


@open_to(SIGNED_IN)
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.own_request(request.user, pk)
    history = found.transitions.select_related("by").order_by("at", "pk")
    return render(request, "legalisation/request.html", {"found": found, "history": history})


@open_to(SIGNED_IN)
def request_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, selectors.own_request(request.user, pk), "legalisation:request")


@open_to(SIGNED_IN)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.own_request(request.user, pk)
    try:
        services.withdraw(found, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("legalisation:request", found.pk)


@open_to(ANYONE)
def figures(request: HttpRequest) -> HttpResponse:
    """Per office, the requests of a year and their delays: aggregates only."""
    form = forms.FiguresForm(request.GET or None)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    rows = selectors.public_figures(year)
    return render(request, "legalisation/figures.html", {"form": form, "year": year, "rows": rows})


# The office


@open_to(READ)
def queue(request: HttpRequest) -> HttpResponse:
    page = page_of(lambda: selectors.queue(request.user), PER_PAGE, request.GET.get("page"))
    context = {
        "page": page,
        "counters": selectors.counters_of(request.user),
        "offices": selectors.offices_read_by(request.user)[:50],
        "year": timezone.localdate().year,
    }
    return render(request, "legalisation/queue.html", context)


def _handle_page(request: HttpRequest, found: LegalisationRequest, **bound: Any) -> HttpResponse:
    context = {
        "found": found,
        "history": found.transitions.select_related("by").order_by("at", "pk"),
        "may_handle": found.state == RequestState.PREPARED and has_permission(request.user, HANDLE, found.office),
        "complete_form": bound.get("complete_form") or forms.CompleteForm(),
        "refuse_form": bound.get("refuse_form") or forms.RefuseForm(),
    }
    return render(request, "legalisation/handle.html", context)


@open_to(READ)
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    return _handle_page(request, selectors.request_for_agent(request.user, pk))


@open_to(READ)
def brought(request: HttpRequest, pk: int) -> HttpResponse:
    """The document as the citizen brought it, for the officer to read before stamping."""
    found = selectors.request_for_agent(request.user, pk)
    try:
        opened = found.document.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such file.")) from None
    # Saved, not opened in the browser, as every file a person brings (kernel.uploads).
    return FileResponse(opened, as_attachment=True, filename=f"{found.document_sha256[:12]}.pdf")


@open_to(READ)
def specimen(request: HttpRequest, pk: int) -> HttpResponse:
    """The enrolled signer's specimen signature, beside the request the officer compares it with."""
    found = selectors.request_for_agent(request.user, pk)
    signer = found.signer  # the request is in the officer's reach (request_for_agent)
    if signer is None:
        raise Http404(_("No such file."))
    try:
        opened = signer.specimen.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such file.")) from None
    return FileResponse(opened)


@open_to(READ)
def output_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, selectors.request_for_agent(request.user, pk), "legalisation:handle")


def _step(request: HttpRequest, pk: int, name: str, form: Any, act: Callable[[Any, dict], str]) -> HttpResponse:
    """An officer's step on a request: `act(request, data)` takes it and says what was done; a refusal is shown
    beside what was typed."""
    found = selectors.request_for_agent(request.user, pk)
    if form.is_valid():
        try:
            done = act(found, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, done)
            return redirect("legalisation:handle", found.pk)
    return _handle_page(request, found, **{name: form})


def _entered(done: LegalisationRequest) -> str:
    return _("Entered in the register under number %(number)s.") % {"number": done.reference}


@open_to(READ)
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "complete_form",
        forms.CompleteForm(request.POST),
        lambda found, data: _entered(
            services.complete(
                found,
                by=request.user,
                completion=data["completion"],
                identity_checked=data["identity_checked"],
                duty_receipt=data["duty_receipt"],
            )
        ),
    )


@open_to(READ)
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    def act(found: LegalisationRequest, data: dict) -> str:
        services.refuse(found, by=request.user, reason=data["reason"])
        return _("The request is refused; the citizen is told why.")

    return _step(request, pk, "refuse_form", forms.RefuseForm(request.POST), act)


@open_to(HANDLE)
def counter(request: HttpRequest) -> HttpResponse:
    offices = selectors.counters_of(request.user)
    form = forms.CounterForm(request.POST or None, request.FILES or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = services.legalise_at_counter(
                by=request.user,
                office=data["office"],
                service=data["service"],
                document=_document_of(form),
                national_id=data["national_id"],
                requester_name=data["requester_name"],
                identity_checked=data["identity_checked"],
                duty_receipt=data["duty_receipt"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _entered(done))
            return redirect("legalisation:handle", done.pk)
    return render(request, "legalisation/counter.html", {"form": form})


@open_to(HANDLE)
def enrol(request: HttpRequest) -> HttpResponse:
    offices = selectors.counters_of(request.user)
    form = forms.EnrolForm(request.POST or None, request.FILES or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signer = services.enrol_signer(
                by=request.user,
                office=data["office"],
                national_id=data["national_id"],
                full_name=data["full_name"],
                specimen=data["specimen"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            linked = _(" Their account is linked: they may prepare requests online.") if signer.account_id else ""
            messages.success(request, _("%(name)s is enrolled.") % {"name": signer.full_name} + linked)
            return redirect("legalisation:enrol")
    return render(request, "legalisation/enrol.html", {"form": form})


@open_to(READ)
def register(request: HttpRequest, office: int, year: int) -> HttpResponse:
    chosen = selectors.offices_read_by(request.user).filter(pk=office).first()
    if chosen is None:
        raise Http404(_("No such office."))
    page = page_of(lambda: selectors.register(request.user, chosen, year), 50, request.GET.get("page"))
    return render(request, "legalisation/register.html", {"office": chosen, "year": year, "page": page})
