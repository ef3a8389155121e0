"""The proposals channel's pages: the list (by state, by region, the most supported first), the good practices,
a proposal with its comments and supports and, for the DGCT, its steps; the form to propose. Thin: the services
decide, the selectors read; a refusal is shown beside what was typed."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from raqmana.access.audiences import open_to
from raqmana.access.checking import has_permission
from raqmana.kernel.paging import page_of
from raqmana.kernel.refusals import show_refusal

from . import forms, selectors, services
from .constants import OPEN_STATES, Ordering, ProposalState
from .models import Proposal
from .workflows import PROPOSAL_WORKFLOW

TAKE_PART = "proposals.proposal.take_part"
DECIDE = "proposals.proposal.decide"


@open_to(TAKE_PART)
def proposal_list(request: HttpRequest) -> HttpResponse:
    filters = forms.ListForm(request.GET or None, regions=selectors.regions_with_proposals())
    state, region, ordering = "", None, Ordering.RECENT
    if filters.is_valid():
        data = filters.cleaned_data
        state, region, ordering = data["state"], data["region"], data["ordering"] or Ordering.RECENT
    page = page_of(
        lambda: selectors.proposals(request.user, state=state, region=region, ordering=ordering),
        20,
        request.GET.get("page"),
    )
    counts = selectors.counts_by_state()
    by_state = [(state.value, state.label, counts[state.value]) for state in ProposalState]
    context = {"page": page, "filters": filters, "counts": by_state}
    return render(request, "proposals/list.html", context)


@open_to(TAKE_PART)
def good_practices(request: HttpRequest) -> HttpResponse:
    page = page_of(lambda: selectors.good_practices(request.user), 20, request.GET.get("page"))
    return render(request, "proposals/good_practices.html", {"page": page})


@open_to(TAKE_PART)
def submit(request: HttpRequest) -> HttpResponse:
    places = selectors.places_of(request.user)
    form = forms.SubmitForm(request.POST or None, request.FILES or None, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.submit(
                by=request.user,
                collectivity=data["collectivity"],
                procedure=data["procedure"],
                title=data["title"],
                problem=data["problem"],
                proposal=data["proposal"],
                files=data["files"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Your proposal is received: the DGCT studies it, and others may support it."))
            return redirect("proposals:proposal", found.pk)
    return render(request, "proposals/submit.html", {"form": form, "places": places})


def _proposal_page(request: HttpRequest, found: Proposal, **bound: Any) -> HttpResponse:
    context = {
        "proposal": found,
        "comments": found.comments.select_related("author", "collectivity"),
        "files": found.files.all(),
        "history": found.transitions.select_related("by").order_by("at", "pk"),
        "supported": selectors.has_supported(request.user, found),
        "may_support": found.proposer_id != request.user.pk and found.state in OPEN_STATES,
        "may_decide": has_permission(request.user, DECIDE),
        "comment_form": bound.get("comment_form") or forms.CommentForm(),
        "move_form": bound.get("move_form") or forms.MoveForm(states=PROPOSAL_WORKFLOW.next_states(found)),
    }
    return render(request, "proposals/proposal.html", context)


@open_to(TAKE_PART)
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, selectors.proposal_for(request.user, pk))


@open_to(TAKE_PART)
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.proposal_for(request.user, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment(found, by=request.user, text=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            return redirect("proposals:proposal", found.pk)
    return _proposal_page(request, found, comment_form=form)


@open_to(TAKE_PART)
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.proposal_for(request.user, pk)
    try:
        services.support(found, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Your support is counted."))
    return redirect("proposals:proposal", found.pk)


@open_to(DECIDE)
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.proposal_for(request.user, pk)
    form = forms.MoveForm(request.POST, states=PROPOSAL_WORKFLOW.next_states(found))
    if form.is_valid():
        try:
            services.move(
                found, by=request.user, to_state=form.cleaned_data["state"], outcome=form.cleaned_data["outcome"]
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The proposal is moved; its proposer is told."))
            return redirect("proposals:proposal", found.pk)
    return _proposal_page(request, found, move_form=form)


@open_to(TAKE_PART)
def proposal_file(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.file_for(request.user, pk)
    try:
        opened = found.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such file.")) from None
    return FileResponse(opened, as_attachment=True, filename=found.name)
