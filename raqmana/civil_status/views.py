from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from raqmana.access.audiences import open_to
from raqmana.access.checking import has_permission, units_where
from raqmana.kernel.refusals import refusal_text, show_refusal

from . import selectors
from .constants import INPUT_NAME_OF, ActKind, ActState, PreDeclarationState
from .forms import REASON_LABELS, AbandonForm, ActForm, MentionForm, PreDeclarationForm, ReasonForm, SearchForm
from .models import CORRECTABLE_FIELDS, Act
from .names import suggest_spellings
from .permissions import ESTABLISHMENT_MEMBERS
from .search import MAX_PAGE, ActQuery
from .services import acts, mentions, pre_declarations

PRE_DECLARATIONS_PER_PAGE = 25


def _act_url(act, reason):
    return f"{reverse('civil_status:act', args=[act.pk])}?{urlencode({'reason': reason})}"


def _act_data(form):
    """The form's values as the services take them: the deceased's birth act comes from the IDCS typed."""
    return {**form.cleaned_data, "birth_act": form.cleaned_data.get("deceased_idcs")}


@open_to("civil_status.queue.handle")
def queue(request):
    user = request.user
    visible = selectors.acts_visible_to(user)
    waiting = selectors.pre_declarations_visible_to(user).filter(
        state__in=[PreDeclarationState.RECEIVED, PreDeclarationState.TAKEN_UP]
    )
    return render(
        request,
        "civil_status/queue.html",
        {
            "pre_declarations": _page(request, waiting.select_related("establishment", "office", "act"), "received"),
            "drafts": _page(request, visible.filter(state=ActState.DRAFT).select_related("drafted_by"), "drafts"),
            "signed": visible.filter(state=ActState.SIGNED).select_related("signed_by")[:20],
            "death_notices": _page(request, selectors.death_notices_for(user), "deaths"),
            "offices": units_where(user, "civil_status.act.draft"),
        },
    )


# Each list of the queue is paged on its own: its page number in the address under its own name.
QUEUE_PER_PAGE = 20


def _page(request, items, parameter):
    return Paginator(items, QUEUE_PER_PAGE).get_page(request.GET.get(parameter))


@login_required
def act_new(request, kind):
    offices = units_where(request.user, "civil_status.act.draft")
    if kind not in ActKind.values or not offices:
        raise PermissionDenied
    pre_declaration = None
    initial = {}
    pre = request.GET.get("pre") or request.POST.get("pre")
    if pre:
        pre_declaration = _pre_declaration(request.user, pre)
        if pre_declaration is None:
            context = {
                "title": _("Pre-declaration not found"),
                "message": _("No pre-declaration of your offices has this number."),
            }
            return render(request, "kernel/bad_input.html", context, status=404)
        initial = pre_declarations.draft_data_from(pre_declaration)
    form = ActForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        office = pre_declaration.office if pre_declaration else offices[0]
        try:
            act = acts.draft_act(office, kind, _act_data(form), by=request.user, pre_declaration=pre_declaration)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error, INPUT_NAME_OF)
        else:
            messages.success(request, _("The draft is saved. The officer can now sign it."))
            return redirect(_act_url(act, "drafting"))
    return render(
        request,
        "civil_status/act_form.html",
        {"form": form, "kind": ActKind(kind), "pre_declaration": pre_declaration, "office": offices[0]},
    )


def _pre_declaration(user, typed):
    """The pre-declaration of the user's offices with this number, None if there is none or it is no number."""
    if not (typed.isascii() and typed.isdigit()):  # isdigit() alone takes "²", which int() refuses
        return None
    return selectors.pre_declarations_visible_to(user).filter(pk=int(typed)).first()


@login_required
def act_edit(request, pk):
    act = get_object_or_404(selectors.acts_visible_to(request.user), pk=pk, state=ActState.DRAFT)
    form = ActForm(request.POST or None, instance=act, kind=act.kind)
    if request.method == "POST" and form.is_valid():
        try:
            acts.update_draft(act, _act_data(form), by=request.user)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error, INPUT_NAME_OF)
        else:
            return redirect(_act_url(act, "drafting"))
    return render(request, "civil_status/act_form.html", {"form": form, "kind": ActKind(act.kind), "act": act})


@login_required
def act_detail(request, pk):
    """An act, opened with a stated reason (logged); with its mentions, history and the actions allowed."""
    code = request.GET.get("reason", "")
    if code not in REASON_LABELS:
        form = ReasonForm(request.GET or None)
        return render(request, "civil_status/reason.html", {"form": form})
    reason = REASON_LABELS[code]
    try:
        act = selectors.read_act(request.user, pk, reason=reason)
    except Act.DoesNotExist:
        raise PermissionDenied from None
    user, office = request.user, act.office
    context = {
        "act": act,
        "reason": reason,
        "mentions": act.mentions.select_related("recorded_by"),
        "transitions": act.transitions.select_related("by"),
        "may_sign": act.state == ActState.DRAFT and has_permission(user, "civil_status.act.sign", at=office),
        "may_edit": act.state == ActState.DRAFT and has_permission(user, "civil_status.act.draft", at=office),
        "may_mention": act.state == ActState.SIGNED and has_permission(user, "civil_status.act.mention", at=office),
        "may_issue": act.state == ActState.SIGNED and has_permission(user, "documents.document.issue", at=office),
        **(_duplicates(user, act) if act.state == ActState.DRAFT else {}),
        "abandon_form": AbandonForm(),
    }
    return render(request, "civil_status/act_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def act_sign(request, pk):
    """GET: what will be signed, to confirm (the act's essentials, the number it should take); POST: sign."""
    if request.method == "GET":
        return _sign_confirmation(request, pk)
    act = get_object_or_404(selectors.acts_visible_to(request.user), pk=pk)
    signed_before = act.state == ActState.SIGNED  # a double click, or a retry whose first try went through
    try:
        act = acts.sign_act(act, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        if signed_before:
            messages.info(
                request,
                _("Act %(reference)s was already signed: it keeps its number.") % {"reference": act.reference},
            )
        else:
            messages.success(request, _("Act %(reference)s is signed.") % {"reference": act.reference})
    return redirect(_act_url(act, "drafting"))


def _duplicates(user, draft):
    """The draft's likely duplicates, and which of them the user may open (the others are another office's)."""
    duplicates = selectors.duplicates_shown_to(user, draft)
    readable = selectors.acts_visible_to(user).filter(pk__in=[row["pk"] for row in duplicates])
    return {"duplicates": duplicates, "readable_duplicates": set(readable.values_list("pk", flat=True))}


def _sign_confirmation(request, pk):
    reason = REASON_LABELS["drafting"]
    try:
        act = selectors.read_act(request.user, pk, reason=reason)
    except Act.DoesNotExist:
        raise PermissionDenied from None
    if act.state != ActState.DRAFT or not has_permission(request.user, "civil_status.act.sign", at=act.office):
        return redirect(_act_url(act, "drafting"))
    context = {
        "act": act,
        "reason": reason,
        "expected_reference": selectors.expected_reference(act),
        **_duplicates(request.user, act),
    }
    return render(request, "civil_status/sign_confirm.html", context)


@login_required
@require_POST
def act_abandon(request, pk):
    act = get_object_or_404(selectors.acts_visible_to(request.user), pk=pk)
    form = AbandonForm(request.POST)
    if form.is_valid():
        try:
            acts.abandon_draft(act, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("The draft is abandoned; it stays in the register's history."))
    else:
        messages.error(request, _("Say why the draft is abandoned."))
    return redirect(_act_url(act, "drafting"))


@login_required
def mention_new(request, pk):
    act = get_object_or_404(selectors.acts_visible_to(request.user), pk=pk, state=ActState.SIGNED)
    form = MentionForm(request.POST or None, correctable=CORRECTABLE_FIELDS)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mentions.record_mention(
                act,
                kind=data["kind"],
                authority_kind=data["authority_kind"],
                authority_name=data["authority_name"],
                reference_number=data["reference_number"],
                decided_on=data["decided_on"],
                legal_basis=data["legal_basis"],
                text_ar=data["text_ar"],
                changes=form.changes(),
                related_act=data["related_idcs"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error, INPUT_NAME_OF)
        else:
            messages.success(request, _("The mention is recorded beside the act."))
            return redirect(_act_url(act, "mention"))
    return render(request, "civil_status/mention_form.html", {"form": form, "act": act})


@login_required
def search(request):
    form = SearchForm(request.GET or None)
    found = None
    context = {}
    if request.GET and form.is_valid():
        page = _page_number(request.GET.get("page", ""))
        try:
            found = selectors.search_register(
                request.user,
                ActQuery.from_criteria(form.cleaned_data),
                reason=REASON_LABELS[form.cleaned_data["reason"]],
                page=page,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            context = {
                "advice": selectors.search_advice(found),
                "previous_page": _page_query(request, page - 1) if page > 1 else "",
                "next_page": _page_query(request, page + 1) if found.page < found.page_count else "",
            }
    return render(request, "civil_status/search.html", {"form": form, "found": found, **context})


def _page_number(typed):
    """The page asked for, or the first when the address holds no page number the search has."""
    # ASCII digits only (str.isdigit takes "²", which int() refuses), and short: int() refuses 4,300 digits and more.
    digits = typed.lstrip("0")
    return int(digits) if digits.isascii() and digits.isdigit() and int(digits[:7]) <= MAX_PAGE else 1


def _page_query(request, page):
    query = request.GET.copy()
    query["page"] = page
    return query.urlencode()


@login_required
def suggest(request):
    """HTMX: Latin and Tifinagh spellings suggested for the Arabic name just typed."""
    part = request.GET.get("part", "")
    name = request.GET.get(f"{part}_ar", "")
    return render(
        request, "civil_status/_suggestions.html", {"part": part, "suggestions": suggest_spellings(name), "name": name}
    )


@open_to(ESTABLISHMENT_MEMBERS)
def pre_declarations_filed(request):
    """What the member's establishments filed, newest first, with the state each has reached at the office."""
    page = Paginator(selectors.pre_declarations_filed_for(request.user), PRE_DECLARATIONS_PER_PAGE)
    return render(
        request, "civil_status/pre_declarations_filed.html", {"filed": page.get_page(request.GET.get("page"))}
    )


@open_to(ESTABLISHMENT_MEMBERS)
def pre_declaration_new(request):
    establishment = request.user.establishments.filter(is_active=True).first()
    form = PreDeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pre_declaration = pre_declarations.file_pre_declaration(establishment, form.cleaned_data, by=request.user)
        except ValidationError as error:
            show_refusal(form, error, INPUT_NAME_OF)
        else:
            messages.success(
                request,
                _("Pre-declaration received: number %(number)s, sent to %(office)s.")
                % {"number": pre_declaration.receipt_number, "office": pre_declaration.office},
            )
            return redirect("civil_status:pre_declarations")
    return render(request, "civil_status/pre_declaration_form.html", {"form": form, "establishment": establishment})


@login_required
@require_POST
def death_notice_noted(request, pk):
    notice = get_object_or_404(selectors.death_notices_for(request.user), pk=pk)
    try:
        mentions.take_note_of_death_notice(notice, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The death notice is noted."))
    return redirect("civil_status:queue")


@login_required
@require_POST
def pre_declaration_dismiss(request, pk):
    pre_declaration = get_object_or_404(selectors.pre_declarations_visible_to(request.user), pk=pk)
    try:
        pre_declarations.dismiss_pre_declaration(
            pre_declaration, by=request.user, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The pre-declaration is dismissed."))
    return redirect("civil_status:queue")
