"""The procedures' pages: the public catalogue, a dossier's form saved as the applicant types, its filing, the
applicant's dossiers, and the office's queue and review. Thin: the services decide, the selectors read (scoped and
logged); a refusal is shown beside what was typed, never as an error page."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import reswap
from django_ratelimit.decorators import ratelimit

from raqmana.access.audiences import open_to
from raqmana.access.checking import has_permission
from raqmana.access.registry import PERMISSIONS
from raqmana.access.selectors import holders_of
from raqmana.accounts import selectors as account_selectors
from raqmana.accounts.decorators import contact_verified_required
from raqmana.documents import selectors as document_selectors
from raqmana.documents.constants import PDF_NOT_STORED
from raqmana.kernel.navigation import ANYONE, SIGNED_IN
from raqmana.kernel.paging import page_of
from raqmana.kernel.refusals import refusal_text, show_refusal
from raqmana.kernel.upload_handlers import RefusedUpload
from raqmana.payments import services as payment_services
from raqmana.payments.selectors import open_to_pay
from raqmana.territories.constants import PROVINCIAL_LEVELS, Level
from raqmana.territories.models import Territory

from . import figures, forms, rules, selectors
from .constants import (
    DECIDED_STATES,
    LINK_RATE,
    LINK_RATE_GROUP,
    OPINION_PERMISSIONS,
    PENDING_STATES,
    CommissionMember,
    DocumentSource,
    DossierState,
    OpinionState,
)
from .figures import Quarter
from .formdefs import TYPE_LABELS, Field, in_language
from .models import Dossier, DossierExport, Opinion, Procedure
from .navigation import COMMISSION_MEMBERS
from .services import attachments as attachment_services
from .services import commission as commission_services
from .services import exports as export_services
from .services import filing
from .services import review as review_services
from .services.filing import EDITABLE_STATES

DOSSIERS_PER_PAGE = 20
QUEUE_PER_PAGE = 30
OPINIONS_PER_PAGE = 30
MEETINGS_PER_PAGE = 10
EXPORTS_PER_PAGE = 20
FIGURES_PER_PAGE = 50
# The public figures over the whole country are computed per request: kept this long in the shared cache.
FIGURES_CACHE_SECONDS = 10 * 60
FIGURE_LEVELS = {
    "office": gettext_lazy("Single windows"),
    "commune": gettext_lazy("Communes"),
    "province": gettext_lazy("Provinces and prefectures"),
    "region": gettext_lazy("Regions"),
}
DEFAULT_FIGURE_LEVEL = "province"
UPLOAD_FIELD = "upload."


# The catalogue


def delay_of(procedure: Procedure) -> int:
    """The procedure's delay as Law 55-19 caps it (art. 16)."""
    return rules.maximum_delay_days(procedure.delay_days, investment_project=procedure.investment_project)


@open_to(ANYONE)
def catalogue(request: HttpRequest) -> HttpResponse:
    procedures = list(selectors.catalogue())
    for procedure in procedures:
        procedure.delay = delay_of(procedure)
    return render(request, "procedures/catalogue.html", {"procedures": procedures})


@open_to(ANYONE)
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.published_procedure(code)
    form = found.current_version.form
    context = {
        "procedure": found,
        "delay": delay_of(found),
        "requirements": form.requirements,
        "held_by_the_applicant": DocumentSource.APPLICANT,
        "fields": _overview(form.fields),
    }
    return render(request, "procedures/procedure.html", context)


def _overview(fields: Sequence[Field]) -> list[dict[str, Any]]:
    """The form's fields as the procedure's page lists them: label, kind, whether asked always, and their own."""
    labels = {item.key: item.text for item in fields}
    return [
        {
            "field": item,
            "kind": TYPE_LABELS[item.type],
            "depends_on": labels.get(item.shown_if.field, "") if item.shown_if else "",
            "fields": _overview(item.fields),
        }
        for item in fields
    ]


@open_to(SIGNED_IN)
@contact_verified_required
def start(request: HttpRequest, code: str) -> HttpResponse:
    """Where the project is and in whose name: the draft is started, and its form opens."""
    found = selectors.published_procedure(code)
    representations, _invitations = account_selectors.representations_and_invitations(request.user)
    form = forms.StartForm(request.POST or None, procedure=found, representations=representations)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = filing.start_draft(
                request.user, found, commune=form.cleaned_data["commune"], enterprise=form.cleaned_data["on_behalf"]
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Your draft is started: it is saved as you type."))
            return redirect("procedures:form", dossier.pk)
    return render(request, "procedures/start.html", {"procedure": found, "form": form, "delay": delay_of(found)})


@dataclass(frozen=True)
class DelayShown:
    """A dossier against its legal delay, as a page says it: days left, or late by so many; paused."""

    left: int
    late_by: int
    paused: bool
    late: bool
    working: bool


def shown_delay(dossier: Dossier, left: selectors.DelayLeft | None) -> DelayShown | None:
    if left is None:
        return None
    days = left.days or 0
    return DelayShown(max(days, 0), max(-days, 0), left.paused, left.late, dossier.delay_in_working_days)


# The dossier's form


def _commune_labels(codes: Iterable[str], *, picker: bool) -> dict[str, str]:
    """Communes by code, named as the picker writes them ("Témara — تمارة · 04.501.01.07") or in the language."""
    found = Territory.objects.filter(code__in=[code for code in codes if code][:200])
    if picker:
        return {one.code: f"{one.name_fr} — {one.name_ar} {forms.CODE_SEPARATOR} {one.code}" for one in found}
    return {one.code: one.name for one in found}


def _saved_data(dossier: Dossier) -> QueryDict | Any:
    definition = dossier.version.form
    labels = _commune_labels(forms.communes_in(definition, dossier.answers), picker=True)
    return forms.data_from_answers(definition, dossier.answers, labels)


def _form_context(
    dossier: Dossier,
    data: Any,
    *,
    errors: Mapping[str, Sequence[str]] | None = None,
    problems: Sequence[str] = (),
    show_summary: bool = False,
    answer_form: forms.AnswerForm | None = None,
    saved_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    errors = errors or {}
    shown = forms.shown_fields(
        dossier.version.form,
        data,
        errors=errors,
        attachments=selectors.attachments_of(dossier),
        answers=dossier.answers,
    )
    problems = [*problems, *forms.unplaced_errors(errors, shown)]
    return {
        "dossier": dossier,
        "fields": shown,
        "every_field": list(forms.every_shown(shown)),
        "every_entry": list(forms.every_entry(shown)),
        "layout": forms.layout_signature(shown),
        "summary": forms.error_summary(errors, shown) if show_summary else [],
        "problems": problems,
        "answer_form": answer_form or forms.AnswerForm(),
        "saved_at": saved_at,
        "has_errors": bool(errors) or bool(problems),
        "request_asked": selectors.information_request(dossier),
    }


def _render_form(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    template = "procedures/_form_swap.html" if request.htmx else "procedures/form.html"
    return render(request, template, context, status=status)


def _editable(request: HttpRequest, dossier: Dossier) -> HttpResponse | None:
    """None while the applicant may change the answers, else the dossier's page, saying why."""
    if dossier.state in EDITABLE_STATES:
        return None
    messages.info(
        request,
        _("This dossier can no longer be changed: it is “%(state)s”.") % {"state": dossier.get_state_display()},
    )
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("procedures:dossier", args=[dossier.pk])
        return response
    return redirect("procedures:dossier", dossier.pk)


def _save_posted(request: HttpRequest, dossier: Dossier, data: Any) -> tuple[dict[str, list[str]], list[str]]:
    """Save what the form posted (when it posted the form): errors by path, and refusals without a path."""
    if "_form" not in data:
        return {}, []
    try:
        checked = filing.save_answers(dossier, forms.answers_from_post(dossier.version.form, data), by=request.user)
    except (ValidationError, PermissionDenied) as error:
        return {}, [refusal_text(error)]
    dossier.answers = checked.answers
    return checked.errors, []


@open_to(SIGNED_IN)
def form(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = selectors.own_dossier(request.user, pk)
    if (refused := _editable(request, dossier)) is not None:
        return refused
    return _render_form(request, _form_context(dossier, _saved_data(dossier)))


@open_to(SIGNED_IN)
@require_POST
def save(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft saved as the applicant types (htmx), or by its button: what is well formed is kept, the rest is
    named beside its field; the inputs keep what was typed. An entry of a block is added or taken out here too."""
    dossier = selectors.own_dossier(request.user, pk)
    if (refused := _editable(request, dossier)) is not None:
        return refused
    data: Any = request.POST
    problems: list[str] = []
    changed_layout = False
    definition = dossier.version.form
    try:
        if added := data.get("_add"):
            data, changed_layout = forms.with_entry(definition, data, added), True
        elif removed := data.get("_remove"):
            data, problems = _without_entry(request, dossier, data, removed)
            changed_layout = True
    except (KeyError, ValueError):
        problems.append(_("This form has no such block."))
    errors, refusals = _save_posted(request, dossier, data)
    context = _form_context(dossier, data, errors=errors, problems=[*problems, *refusals], saved_at=timezone.now())
    if request.htmx and not changed_layout and data.get("_layout") == context["layout"]:
        # The same fields are shown: only the status and the errors change; the inputs stay as the person types.
        return reswap(render(request, "procedures/_saved.html", context), "none")
    return _render_form(request, context)


def _without_entry(request: HttpRequest, dossier: Dossier, data: Any, removed: str) -> tuple[Any, list[str]]:
    """Take entry N of a block out ("lots.N"): its files with it, and the later entries' files moved up with their
    entries (`attachments.remove_entry`); the posted data follows."""
    path, _dot, number = removed.rpartition(".")
    if not (number.isascii() and number.isdigit() and len(number) <= 3):
        raise ValueError(removed)
    index = int(number)
    try:
        attachment_services.remove_entry(dossier, path, index, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        return data, [refusal_text(error)]
    return forms.without_entry(dossier.version.form, data, path, index), []


@open_to(SIGNED_IN)
@contact_verified_required
@require_POST
def file_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """File the draft: every missing or faulty answer is named beside its field and listed above the form."""
    dossier = selectors.own_dossier(request.user, pk)
    if (refused := _editable(request, dossier)) is not None:
        return refused
    errors, problems = _save_posted(request, dossier, request.POST)
    data = request.POST if "_form" in request.POST else _saved_data(dossier)
    try:
        filed = filing.file_dossier(dossier, by=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            errors = {**error.message_dict, **errors}  # what could not be kept says why, not just "required"
        else:
            problems.append(refusal_text(error))
    except PermissionDenied as error:
        problems.append(refusal_text(error))
    else:
        messages.success(
            request,
            _("Your dossier is filed under number %(reference)s. Its receipt is ready: keep it.")
            % {"reference": filed.reference},
        )
        return redirect("procedures:dossier", filed.pk)
    context = _form_context(dossier, data, errors=errors, problems=problems, show_summary=True)
    return _render_form(request, context)


@open_to(SIGNED_IN)
@require_POST
@ratelimit(group=LINK_RATE_GROUP, key="user", rate=LINK_RATE, method="POST", block=False)
def link(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill the civil status link from the register: the applicant names their birth act, nothing is uploaded."""
    dossier = selectors.own_dossier(request.user, pk)
    if (refused := _editable(request, dossier)) is not None:
        return refused
    links = dossier.version.form.civil_status_links()
    errors, problems = _save_posted(request, dossier, request.POST)
    if not links:
        problems.append(_("This procedure needs no civil status link."))
    elif getattr(request, "limited", False):
        errors = {
            **errors,
            links[0].key: [_("Too many tries: wait an hour, then check the facts on your family booklet.")],
        }
    else:
        facts = forms.CivilStatusLinkForm.from_post(request.POST, links[0].key)
        if not facts.is_valid():
            errors = {
                **errors,
                links[0].key: [f"{facts[name].label}: {' '.join(found)}" for name, found in facts.errors.items()],
            }
        else:
            try:
                filing.link_civil_status(dossier, by=request.user, **facts.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                errors = {**errors, links[0].key: [refusal_text(error)]}
            else:
                dossier.refresh_from_db(fields=["answers", "updated_at"])
    return _render_form(request, _form_context(dossier, request.POST, errors=errors, problems=problems))


# Files


def _upload_of(request: HttpRequest) -> tuple[str, Any]:
    """The path and the file posted: "upload.<path>" (the page's inputs), or "path" and "file"."""
    for name in request.FILES:
        if name.startswith(UPLOAD_FIELD):
            return request.POST.get("path") or name[len(UPLOAD_FIELD) :], request.FILES[name]
    return request.POST.get("path", ""), request.FILES.get("file")


def _file_block(request: HttpRequest, dossier: Dossier, path: str, upload_errors: Sequence[str]) -> HttpResponse:
    """The file field at `path` alone, with its files and what the upload was told (htmx)."""
    item = attachment_services.attachment_field(dossier, path)
    shown = forms.Shown(item, path, attachments=[one for one in selectors.attachments_of(dossier) if one.path == path])
    context = {"dossier": dossier, "shown": shown, "upload_errors": upload_errors}
    return render(request, "procedures/_file_block.html", context)


@open_to(SIGNED_IN)
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """A file for a file field: typed by its content (PDF, JPEG, PNG), size-limited and scanned."""
    dossier = selectors.own_dossier(request.user, pk)
    if (refused := _editable(request, dossier)) is not None:
        return refused
    path, upload = _upload_of(request)
    upload_errors: list[str] = []
    try:
        attachment_services.attachment_field(dossier, path)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
        if request.htmx:
            return HttpResponse(refusal_text(error), status=400, content_type="text/plain; charset=utf-8")
        return redirect("procedures:form", dossier.pk)
    if upload is None:
        upload_errors.append(_("Choose a file first."))
    else:
        try:
            attachment_services.attach(dossier, path, upload, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            upload_errors.append(refusal_text(error))
    cut_short = isinstance(upload, RefusedUpload)  # what was sent after a file over the limit never arrived
    errors, problems = ({}, []) if cut_short or request.htmx else _save_posted(request, dossier, request.POST)
    if request.htmx:
        return _file_block(request, dossier, path, upload_errors)
    if cut_short:
        problems.append(
            _("The file was too large, so what was sent after it did not arrive: your last saved answers are shown.")
        )
    data = _saved_data(dossier) if cut_short or "_form" not in request.POST else request.POST
    errors = {**errors, path: [*errors.get(path, []), *upload_errors]}
    return _render_form(request, _form_context(dossier, data, errors=errors, problems=problems))


@open_to(SIGNED_IN)
@require_POST
def remove_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.attachment(pk)
    if found.dossier.applicant_id != request.user.pk:
        raise Http404(_("No such file."))  # nobody learns another's file exists
    dossier = selectors.own_dossier(request.user, found.dossier_id)
    if (refused := _editable(request, dossier)) is not None:
        return refused
    problems: list[str] = []
    try:
        attachment_services.remove_attachment(found, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        problems.append(refusal_text(error))
    if request.htmx:
        return _file_block(request, dossier, found.path, problems)
    errors, refusals = _save_posted(request, dossier, request.POST)
    data = request.POST if "_form" in request.POST else _saved_data(dossier)
    return _render_form(request, _form_context(dossier, data, errors=errors, problems=[*problems, *refusals]))


@open_to(SIGNED_IN)
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A dossier's file, for its applicant or the agents of its office (their opening logged), once found clean."""
    found = selectors.attachment(pk)
    try:
        opened = selectors.open_attachment(request.user, found)
    except PermissionDenied as error:
        messages.error(request, refusal_text(error))
        if found.dossier.applicant_id == request.user.pk:
            return redirect("procedures:dossier", found.dossier_id)
        return redirect("procedures:review", found.dossier_id)
    except FileNotFoundError:
        raise Http404(_("No such file.")) from None
    return FileResponse(opened, as_attachment=True, filename=found.name or f"file.{found.extension}")


# The applicant's dossiers


@open_to(SIGNED_IN)
def dossiers(request: HttpRequest) -> HttpResponse:
    page = page_of(lambda: selectors.dossiers_of(request.user), DOSSIERS_PER_PAGE, request.GET.get("page"))
    return render(request, "procedures/dossiers.html", {"dossiers": page})


def _readable(dossier: Dossier) -> list[forms.Readable]:
    definition = dossier.version.form
    labels = _commune_labels(forms.communes_in(definition, dossier.answers), picker=False)
    return forms.readable_answers(
        definition, dossier.answers, attachments=selectors.attachments_of(dossier), commune_labels=labels
    )


def _dossier_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    message_form: forms.MessageForm | None = None,
    answer_form: forms.AnswerForm | None = None,
    withdraw_form: forms.WithdrawForm | None = None,
) -> HttpResponse:
    context = {
        "dossier": dossier,
        "delay": shown_delay(dossier, selectors.decision_delay_left(dossier)),
        "pending": dossier.state in PENDING_STATES,
        "decided": dossier.state in DECIDED_STATES,
        "editable": dossier.state in EDITABLE_STATES,
        "asked": selectors.information_request(dossier),
        "conversation": selectors.messages_for(dossier, office=False),
        "transitions": dossier.transitions.order_by("at", "pk"),
        "answers": _readable(dossier),
        "message_form": message_form or forms.MessageForm(),
        "answer_form": answer_form or forms.AnswerForm(),
        "withdraw_form": withdraw_form or forms.WithdrawForm(),
        "may_pay": dossier.state == DossierState.AWAITING_PAYMENT
        and dossier.payment is not None
        and open_to_pay(dossier.payment),
    }
    return render(request, "procedures/dossier.html", context)


@open_to(SIGNED_IN)
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    return _dossier_page(request, selectors.own_dossier(request.user, pk))


def _document(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    found = selectors.own_dossier(request.user, pk)
    document = getattr(found, which)
    if document is None:
        raise Http404(_("No such document."))
    try:
        pdf = document_selectors.open_pdf(request.user, document)
    except FileNotFoundError:
        messages.error(request, PDF_NOT_STORED)
        return redirect("procedures:dossier", found.pk)
    return FileResponse(
        pdf, content_type="application/pdf", as_attachment=True, filename=f"{document.verification_code}.pdf"
    )


@open_to(SIGNED_IN)
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    return _document(request, pk, "receipt")


@open_to(SIGNED_IN)
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    return _document(request, pk, "decision")


@open_to(SIGNED_IN)
@require_POST
def write(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.own_dossier(request.user, pk)
    message_form = forms.MessageForm(request.POST)
    if message_form.is_valid():
        try:
            review_services.write(found, by=request.user, body=message_form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as error:
            show_refusal(message_form, error)
        else:
            messages.success(request, _("Your message is sent to the office."))
            return redirect("procedures:dossier", found.pk)
    return _dossier_page(request, found, message_form=message_form)


@open_to(SIGNED_IN)
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant answers the office's request: the corrected answers must be complete, the review goes on."""
    found = selectors.own_dossier(request.user, pk)
    if (refused := _editable(request, found)) is not None:
        return refused
    answer_form = forms.AnswerForm(request.POST)
    errors, problems = _save_posted(request, found, request.POST)
    if answer_form.is_valid() and not problems:
        try:
            review_services.answer_request(found, by=request.user, message=answer_form.cleaned_data["message"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = {**error.message_dict, **errors}
            else:
                problems.append(refusal_text(error))
        except PermissionDenied as error:
            problems.append(refusal_text(error))
        else:
            messages.success(request, _("Your answer is sent: the review goes on."))
            return redirect("procedures:dossier", found.pk)
    data = request.POST if "_form" in request.POST else _saved_data(found)
    context = _form_context(found, data, errors=errors, problems=problems, show_summary=True, answer_form=answer_form)
    return render(request, "procedures/form.html", context)


@open_to(SIGNED_IN)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.own_dossier(request.user, pk)
    withdraw_form = forms.WithdrawForm(request.POST)
    if withdraw_form.is_valid():
        try:
            review_services.withdraw(found, by=request.user, reason=withdraw_form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
            return redirect("procedures:dossier", found.pk)
        messages.success(request, _("Your dossier is withdrawn."))
        return redirect("procedures:dossier", found.pk)
    return _dossier_page(request, found, withdraw_form=withdraw_form)


@open_to(SIGNED_IN)
@contact_verified_required
@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.own_dossier(request.user, pk)
    if found.state != DossierState.AWAITING_PAYMENT or found.payment is None or not open_to_pay(found.payment):
        return redirect("procedures:dossier", found.pk)
    return redirect(payment_services.checkout_url(found.payment))


# The office


class QueueRow:
    """A row of the queue, with where it stands against its legal delay (from the clock the queue annotates)."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        left = selectors.delay_left(
            dossier,
            state=getattr(dossier, "clock_state", None),
            due_at=getattr(dossier, "clock_due_at", None),
            remaining=getattr(dossier, "clock_remaining", None),
        )
        self.delay = shown_delay(dossier, left)

    @property
    def late(self) -> bool:
        return bool(self.delay and self.delay.late)


@open_to("procedures.dossier.read")
def queue(request: HttpRequest) -> HttpResponse:
    """The dossiers awaiting a decision at the person's places, the nearest to their legal delay first."""
    filters = forms.QueueFilterForm(request.GET or None)
    mine, state = False, ""
    if filters.is_valid():
        mine, state = filters.cleaned_data["mine"], filters.cleaned_data["state"]
    page = page_of(
        lambda: selectors.queue(request.user, assigned_to=request.user if mine else None, state=state),
        QUEUE_PER_PAGE,
        request.GET.get("page"),
    )
    rows = [QueueRow(one) for one in page]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "export_state": state,
        "export_mine": mine,
        "may_convene": has_permission(request.user, "procedures.dossier.review"),
    }
    return render(request, "procedures/queue.html", context)


def _office_dossier(request: HttpRequest, pk: int) -> Dossier:
    """A dossier the person reads at its office, for an action on it (the read of the page was logged)."""
    found = (
        selectors.dossiers_visible_to(request.user)
        .select_related("procedure", "version", "unit", "commune", "applicant", "enterprise", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("No such dossier."))
    return found


def _taxed(dossier: Dossier) -> bool:
    return bool((dossier.version.definition.get("fees") or {}).get("construction_tax"))


def _review_page(request: HttpRequest, dossier: Dossier, **bound: Any) -> HttpResponse:
    user = request.user
    may_review = dossier.unit is not None and has_permission(user, "procedures.dossier.review", dossier.unit)
    may_decide = dossier.unit is not None and has_permission(user, "procedures.dossier.decide", dossier.unit)
    open_states = (DossierState.FILED, DossierState.UNDER_REVIEW)
    agents = holders_of("procedures.dossier.review", at=dossier.unit) if may_review and dossier.unit else []
    opinions = (
        [
            OpinionRow(one, opinion_delay(one))
            for one in selectors.with_opinion_clocks(selectors.opinions_of(dossier)).select_related("dossier__version")
        ]
        if dossier.procedure.through_commission
        else []
    )
    context = {
        "dossier": dossier,
        "delay": shown_delay(dossier, selectors.decision_delay_left(dossier)),
        "answers": _readable(dossier),
        "attachments": selectors.attachments_of(dossier),
        "transitions": dossier.transitions.select_related("by").order_by("at", "pk"),
        "conversation": selectors.messages_for(dossier, office=True),
        "may_take_up": may_review and dossier.state == DossierState.FILED,
        "may_assign": may_review and dossier.state in PENDING_STATES and bool(agents),
        "may_request": may_review and dossier.state in open_states,
        "may_write": may_review and dossier.state != DossierState.DRAFT,
        "may_decide": may_decide and dossier.state in open_states,
        "may_reexamine": may_decide and dossier.state == DossierState.REFUSED,
        "assign_form": bound.get("assign_form") or forms.AssignForm(agents=agents),
        "request_form": bound.get("request_form") or forms.RequestInformationForm(),
        "message_form": bound.get("message_form") or forms.OfficeMessageForm(),
        "approve_form": bound.get("approve_form") or forms.ApproveForm(taxed=_taxed(dossier)),
        "refuse_form": bound.get("refuse_form") or forms.RefuseForm(),
        "reexamine_form": bound.get("reexamine_form") or forms.ReexamineForm(),
        "opinions": opinions,
        "gives_opinion": any(_gives(user, row.opinion, dossier) for row in opinions),
        # A large project is decided once its commission's opinions are in (services.review).
        "awaiting_opinions": commission_services.opinions_awaited(dossier),
        "may_convene": may_review and dossier.procedure.through_commission,
    }
    return render(request, "procedures/review.html", context)


@open_to("procedures.dossier.read")
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """A dossier at its office: its answers, files, history and messages, and the steps the person may take."""
    return _review_page(request, selectors.office_dossier(request.user, pk))


def _office_step(
    request: HttpRequest,
    pk: int,
    form_name: str | None,
    bound: Any,
    step: Any,
    done: str,
) -> HttpResponse:
    """One step on a dossier at its office: the form checked, the service called, its refusal shown beside what was
    typed (the page again), or its success said and the dossier shown."""
    found = _office_dossier(request, pk)
    if bound is None or bound.is_valid():
        try:
            step(found, bound.cleaned_data if bound is not None else {})
        except (ValidationError, PermissionDenied) as error:
            if bound is not None and hasattr(error, "error_dict"):
                show_refusal(bound, error)  # beside the fields it names, what was typed kept
            else:  # said above the page: the form may no longer be offered (the dossier moved meanwhile)
                messages.error(request, refusal_text(error))
                if bound is None:
                    return redirect("procedures:review", found.pk)
        else:
            messages.success(request, done)
            return redirect("procedures:review", found.pk)
    found = _office_dossier(request, pk)  # as it stands after a refusal
    return _review_page(request, found, **({form_name: bound} if form_name else {}))


@open_to("procedures.dossier.read")
@require_POST
def take_up(request: HttpRequest, pk: int) -> HttpResponse:
    return _office_step(
        request,
        pk,
        None,
        None,
        lambda found, data: review_services.take_up(found, by=request.user),
        _("The dossier is taken up."),
    )


@open_to("procedures.dossier.read")
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    found = _office_dossier(request, pk)
    agents = holders_of("procedures.dossier.review", at=found.unit) if found.unit else []
    return _office_step(
        request,
        pk,
        "assign_form",
        forms.AssignForm(request.POST, agents=agents),
        lambda found, data: review_services.assign(found, data["agent"], by=request.user),
        _("The dossier is assigned."),
    )


@open_to("procedures.dossier.read")
@require_POST
def request_information(request: HttpRequest, pk: int) -> HttpResponse:
    return _office_step(
        request,
        pk,
        "request_form",
        forms.RequestInformationForm(request.POST),
        lambda found, data: review_services.request_information(
            found, by=request.user, reason=data["reason"], message=data["message"]
        ),
        _("The applicant is asked to correct the dossier; its delay is paused until they answer."),
    )


@open_to("procedures.dossier.read")
@require_POST
def write_office(request: HttpRequest, pk: int) -> HttpResponse:
    bound = forms.OfficeMessageForm(request.POST)
    private = bound.is_valid() and bound.cleaned_data["private"]
    return _office_step(
        request,
        pk,
        "message_form",
        bound,
        lambda found, data: review_services.write(found, by=request.user, body=data["body"], private=data["private"]),
        _("The note is kept for the office.") if private else _("The message is sent to the applicant."),
    )


@open_to("procedures.dossier.read")
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    found = _office_dossier(request, pk)
    return _office_step(
        request,
        pk,
        "approve_form",
        forms.ApproveForm(request.POST, taxed=_taxed(found)),
        lambda found, data: review_services.approve(
            found, by=request.user, conditions=data["conditions"], tax_exemption=data.get("tax_exemption", "")
        ),
        _("The dossier is approved; the applicant is told."),
    )


@open_to("procedures.dossier.read")
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _office_step(
        request,
        pk,
        "refuse_form",
        forms.RefuseForm(request.POST),
        lambda found, data: review_services.refuse(found, by=request.user, reasons=data["reasons"]),
        _("The dossier is refused with its reasons; the applicant is told."),
    )


@open_to("procedures.dossier.read")
@require_POST
def reexamine(request: HttpRequest, pk: int) -> HttpResponse:
    return _office_step(
        request,
        pk,
        "reexamine_form",
        forms.ReexamineForm(request.POST),
        lambda found, data: review_services.reexamine(found, by=request.user, reason=data["reason"]),
        _("The dossier is examined again; its delay starts over."),
    )


# The commission: its members' opinions


@dataclass(frozen=True)
class OpinionRow:
    """An opinion as a page shows it: where its member stands against its delay, whether the reader gives it, and
    the form to give it (bound after a refusal)."""

    opinion: Opinion
    delay: DelayShown | None
    may_give: bool = False
    form: forms.OpinionForm | None = None

    @property
    def late(self) -> bool:
        return bool(self.delay and self.delay.late)


def opinion_delay(opinion: Opinion) -> DelayShown | None:
    """Where the member stands against its delay, in working days."""
    left = selectors.opinion_delay_left(opinion)
    if left is None:
        return None
    days = left.days or 0
    return DelayShown(max(days, 0), max(-days, 0), paused=False, late=left.late, working=True)


def _gives(user: Any, opinion: Opinion, dossier: Dossier) -> bool:
    """Whether the user gives this opinion now: their member's, still owed (awaited, or late), on a dossier still
    before the commission."""
    owed = opinion.state in (OpinionState.REQUESTED, OpinionState.LAPSED) and dossier.state in PENDING_STATES
    return owed and has_permission(user, OPINION_PERMISSIONS[CommissionMember(opinion.member)], dossier.commune)


def _opinion_rows(request: HttpRequest, dossier: Dossier, bound: forms.OpinionForm | None = None) -> list[OpinionRow]:
    opinions = selectors.with_opinion_clocks(selectors.opinions_of(dossier)).select_related("dossier__version")
    rows = []
    for opinion in opinions:
        may_give = _gives(request.user, opinion, dossier)
        form = None
        if may_give:
            form = bound if bound is not None and bound.prefix == _opinion_prefix(opinion) else None
            form = form or forms.OpinionForm(prefix=_opinion_prefix(opinion))
        rows.append(OpinionRow(opinion, opinion_delay(opinion), may_give, form))
    return rows


def _opinion_prefix(opinion: Opinion) -> str:
    return f"opinion-{opinion.pk}"


@open_to(COMMISSION_MEMBERS)
def opinions(request: HttpRequest) -> HttpResponse:
    """The opinions asked of the members the person represents, still owed first, the nearest to their delay first."""
    page = page_of(
        lambda: selectors.awaited_opinions_by_delay(request.user), OPINIONS_PER_PAGE, request.GET.get("page")
    )
    rows = [OpinionRow(one, opinion_delay(one)) for one in page]
    return render(request, "procedures/opinions.html", {"page": page, "rows": rows})


def _member_page(request: HttpRequest, dossier: Dossier, *, bound: forms.OpinionForm | None = None) -> HttpResponse:
    rows = _opinion_rows(request, dossier, bound)
    context = {
        "dossier": dossier,
        "delay": shown_delay(dossier, selectors.decision_delay_left(dossier)),
        "answers": _readable(dossier),
        "attachments": selectors.attachments_of(dossier),
        "opinions": rows,
        "to_give": [row for row in rows if row.may_give],
        "files_dropped": bound is not None and bool(request.FILES),
    }
    return render(request, "procedures/member_dossier.html", context)


@open_to(COMMISSION_MEMBERS)
def member_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """A dossier before the commission, as its members read it (the read logged): its answers and files, every
    opinion of its examination as soon as it is entered, and the form of the opinion the person gives."""
    return _member_page(request, selectors.member_dossier(request.user, pk))


@open_to(COMMISSION_MEMBERS)
@require_POST
def give_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's opinion given (late ones too: they stay counted late); a refusal said beside what was typed."""
    opinion = selectors.opinion_before(request.user, pk)
    dossier = selectors.member_dossier(request.user, opinion.dossier_id)
    bound = forms.OpinionForm(request.POST, request.FILES, prefix=_opinion_prefix(opinion))
    if bound.is_valid():
        try:
            commission_services.give_opinion(
                opinion,
                by=request.user,
                verdict=bound.cleaned_data["verdict"],
                text=bound.cleaned_data["text"],
                files=bound.cleaned_data["files"],
            )
        except PermissionDenied as error:
            raise PermissionDenied(refusal_text(error)) from None  # another member's opinion: the platform's 403
        except ValidationError as error:
            opinion.refresh_from_db(fields=["state"])
            dossier.refresh_from_db(fields=["state"])
            if not _gives(request.user, opinion, dossier):
                # The opinion or the dossier moved meanwhile: said above the page, which shows where it stands.
                messages.error(request, refusal_text(error))
                return redirect("procedures:member_dossier", dossier.pk)
            show_refusal(bound, error)  # beside the fields it names, or above the form; what was typed kept
        else:
            messages.success(request, _("Your opinion is recorded: every member of the commission sees it now."))
            return redirect("procedures:member_dossier", dossier.pk)
    elif not _gives(request.user, opinion, dossier):  # its form is not offered to this person
        permission = OPINION_PERMISSIONS[CommissionMember(opinion.member)]
        if not has_permission(request.user, permission, dossier.commune):
            raise PermissionDenied(PERMISSIONS[permission].refusal)
        messages.error(request, _("This opinion is already given, or its dossier is no longer before the commission."))
        return redirect("procedures:member_dossier", dossier.pk)
    return _member_page(request, dossier, bound=bound)


@open_to(SIGNED_IN)
def opinion_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A file given with an opinion, for the dossier's commission members and its office's agents, once clean."""
    found = selectors.opinion_file(pk)
    try:
        opened = selectors.open_opinion_file(request.user, found)
    except PermissionDenied as error:
        messages.error(request, refusal_text(error))
        dossier = found.opinion.dossier
        if dossier.unit is not None and has_permission(request.user, "procedures.dossier.read", dossier.unit):
            return redirect("procedures:review", dossier.pk)
        return redirect("procedures:member_dossier", dossier.pk)
    except FileNotFoundError:
        raise Http404(_("No such file.")) from None
    return FileResponse(opened, as_attachment=True, filename=found.name or f"file.{found.extension}")


# The commission's meetings


@open_to("procedures.dossier.review")
def meetings(request: HttpRequest) -> HttpResponse:
    """The meetings of the commissions of the single windows the person reviews for: what is ready for one now,
    a meeting convened (its agenda, what is ready), those convened."""
    units = list(selectors.review_units(request.user))
    form = forms.ConveneForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = commission_services.convene(
                form.cleaned_data["unit"],
                by=request.user,
                held_on=form.cleaned_data["held_on"],
                place=form.cleaned_data["place"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "The meeting is convened; %(count)d dossier is on its agenda.",
                    "The meeting is convened; %(count)d dossiers are on its agenda.",
                    meeting.dossiers.count(),
                )
                % {"count": meeting.dossiers.count()},
            )
            return redirect("procedures:meetings")
    ready = [(unit, list(commission_services.ready_for_meeting(unit).select_related("procedure"))) for unit in units]
    page = page_of(lambda: selectors.meetings_of(units), MEETINGS_PER_PAGE, request.GET.get("page"))
    context = {"form": form, "units": units, "ready": ready, "page": page}
    return render(request, "procedures/meetings.html", context)


# The exports of the queue


@open_to("procedures.dossier.read")
@require_POST
def request_export(request: HttpRequest) -> HttpResponse:
    """A list of the dossiers the person reads, filtered as their queue is, written in the background."""
    try:
        export_services.request_export(
            request.user,
            format=request.POST.get("format", "")[:8],
            state=request.POST.get("state", "")[:30],
            procedure=request.POST.get("procedure", "")[:60],
            mine=request.POST.get("mine") == "on",
        )
    except ValidationError as error:
        messages.error(request, refusal_text(error))
        return redirect("procedures:queue")
    messages.success(request, _("Your export is being written: it is listed below, ready to download when done."))
    return redirect("procedures:exports")


@open_to("procedures.dossier.read")
def exports(request: HttpRequest) -> HttpResponse:
    """The person's exports, their progress followed every 2 seconds while one is being written (htmx)."""
    page = page_of(lambda: selectors.exports_of(request.user), EXPORTS_PER_PAGE, request.GET.get("page"))
    working = any(one.state in (DossierExport.State.QUEUED, DossierExport.State.RUNNING) for one in page)
    states = dict(DossierState.choices)
    titles = {
        one.code: one.title for one in Procedure.objects.filter(code__in=[e.filters.get("procedure") for e in page])
    }
    for export in page:  # the filters as the queue named them
        export.state_filter = states.get(export.filters.get("state", ""), "")
        export.procedure_filter = titles.get(export.filters.get("procedure", ""), export.filters.get("procedure", ""))
        export.mine_filter = bool(export.filters.get("assigned_to"))
    template = "procedures/_exports.html" if request.htmx else "procedures/exports.html"
    return render(request, template, {"page": page, "working": working})


@open_to("procedures.dossier.read")
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An export's file, for the person who asked for it only."""
    export = selectors.own_export(request.user, pk)
    try:
        opened = export_services.open_for_download(export, by=request.user)
    except ValidationError as error:
        messages.info(request, refusal_text(error))
        return redirect("procedures:exports")
    except FileNotFoundError:
        raise Http404(_("No such export.")) from None
    day = timezone.localtime(export.created_at).strftime("%Y-%m-%d")
    return FileResponse(opened, as_attachment=True, filename=f"dossiers-{day}-{export.pk}.{export.format}")


# The public figures


def _share(value: float | None) -> str:
    return _("%(number)s %%") % {"number": number_format(round(value * 100))} if value is not None else "—"


def _days(value: float | None) -> str:
    return number_format(value, decimal_pos=1) if value is not None else "—"


def _width(value: float | None, scale: float) -> str:
    """A bar's length in the chart's hundred units, written with a point (an SVG attribute is never localised)."""
    return f"{min(100.0, (value or 0) * 100 / scale):.1f}" if scale else "0"


def _figure_rows(level: str, quarter: Quarter, within: Territory | None) -> dict[str, Any]:
    """The figures of the places where something was filed or decided, as the page shows them in the current
    language (kept by `_kept`), and how many places saw nothing."""
    rows, quiet = [], 0
    for place in figures.quarter_figures(level, quarter, within):
        if not (place.filed or place.decided):
            quiet += 1
            continue
        rows.append(
            {
                "code": place.code,
                "name": in_language({"ar": place.name_ar, "fr": place.name_fr, "en": place.name_fr}),
                "filed": place.filed,
                "decided": place.decided,
                "average": place.average_delay,
                "p90": place.p90_delay,
                "legal": place.average_legal_delay,
                "average_shown": _days(place.average_delay),
                "p90_shown": _days(place.p90_delay),
                "legal_shown": _days(place.average_legal_delay),
                "within_delay": _share(place.within_delay_share),
                "by_silence": place.silence_share,
                "by_silence_shown": _share(place.silence_share),
                "online": place.online_share,
                "online_shown": _share(place.online_share),
                "partners_on_time": _share(place.partners_on_time),
                "tax_per_m2": place.tax_per_m2,
            }
        )
    return {"rows": rows, "quiet": quiet}


def _index_rows(quarter: Quarter, within: Territory | None) -> list[dict[str, Any]]:
    return [
        {
            "rank": row.rank,
            "code": row.place.code,
            "name": in_language({"ar": row.place.name_ar, "fr": row.place.name_fr, "en": row.place.name_fr}),
            "score": number_format(row.score, decimal_pos=2),
            "decided": row.place.decided,
            "within_delay": _share(row.place.within_delay_share),
            "online": _share(row.place.online_share),
            "partners_on_time": _share(row.place.partners_on_time),
            "tax_per_m2": row.place.tax_per_m2,
        }
        for row in figures.commune_index(quarter, within)
    ]


def _kept(name: str, parts: Sequence[object], compute: Any) -> Any:
    """What `compute()` gives, kept 10 minutes in the shared cache under `name`, its parts and the language: the
    figures of the whole country are computed per request otherwise."""
    key = ":".join(["procedures", name, *(str(part) for part in parts), translation.get_language() or "ar"])
    kept = cache.get(key)
    if kept is None:
        kept = compute()
        cache.set(key, kept, FIGURES_CACHE_SECONDS)
    return kept


def _figures_filters(request: HttpRequest, *, with_level: bool) -> tuple[forms.FiguresFilterForm, dict[str, Any]]:
    """The filters of a figures page and what they chose: a level, a quarter offered, a region or a province."""
    quarters = figures.quarters_with_dossiers()
    by_name = {str(quarter): quarter for quarter in quarters}
    territories = _kept("territories", [], _figure_territories)
    levels = list(FIGURE_LEVELS.items()) if with_level else None
    quarter_choices = [(str(one), _quarter_label(one)) for one in quarters]
    form = forms.FiguresFilterForm(
        request.GET or None, levels=levels, quarters=quarter_choices, territories=territories
    )
    quarter = by_name.get(form.value("quarter", str(quarters[0])), quarters[0])
    code = form.value("within", "")
    within = Territory.objects.filter(code=code).first() if code else None
    chosen = {
        "level": form.value("level", DEFAULT_FIGURE_LEVEL),
        "quarter": quarter,
        "quarter_label": _quarter_label(quarter),
        "within": within,
    }
    return form, chosen


def _quarter_label(quarter: Quarter) -> str:
    return _("Quarter %(number)s of %(year)s") % {"number": quarter.number, "year": quarter.year}


def _figure_territories() -> list[tuple[str, list[tuple[str, str]]]]:
    """The regions, each with its provinces and prefectures, as the filter offers them (codes sort them so)."""
    grouped: list[tuple[str, list[tuple[str, str]]]] = []
    places = Territory.objects.filter(level__in=[Level.REGION, *PROVINCIAL_LEVELS]).order_by("code")
    for place in places:
        if place.level == Level.REGION:
            grouped.append((place.name, [(place.code, _("The whole region: %(name)s") % {"name": place.name})]))
        elif grouped:
            grouped[-1][1].append((place.code, place.name))
    return grouped


def _chart_scale(rows: Iterable[dict[str, Any]]) -> float:
    return max((max(row["average"] or 0, row["p90"] or 0, row["legal"] or 0) for row in rows), default=0.0)


@open_to(ANYONE)
def figures_page(request: HttpRequest) -> HttpResponse:
    """The public figures of a quarter, per single window, commune, province or region: aggregates only."""
    form, chosen = _figures_filters(request, with_level=True)
    level, quarter, within = chosen["level"], chosen["quarter"], chosen["within"]
    found = _kept(
        "figures",
        [level, quarter, within.code if within else ""],
        lambda: _figure_rows(level, quarter, within),
    )
    page = Paginator(found["rows"], FIGURES_PER_PAGE).get_page(request.GET.get("page"))
    shown = [dict(row) for row in page]  # the bars are the page's own
    scale = _chart_scale(shown)
    for row in shown:
        row["bars"] = {
            "average": _width(row["average"], scale),
            "p90": _width(row["p90"], scale),
            "legal": _width(row["legal"], scale),
            "by_silence": _width(row["by_silence"], 1),
            "online": _width(row["online"], 1),
        }
    context = {
        "form": form,
        "page": page,
        "rows": shown,
        "decided_rows": [row for row in shown if row["decided"]],
        "filed_rows": [row for row in shown if row["filed"]],
        "level": level,
        "level_label": FIGURE_LEVELS.get(level, ""),
        "chosen": chosen,
        "communes": level == "commune",
        "quiet": found["quiet"],
    }
    return render(request, "procedures/figures.html", context)


@open_to(ANYONE)
def index(request: HttpRequest) -> HttpResponse:
    """The communes' quarterly index: ranked on decisions within the legal delay, filing online and the commission
    members' timeliness; volumes and the tax per m² beside."""
    form, chosen = _figures_filters(request, with_level=False)
    quarter, within = chosen["quarter"], chosen["within"]
    rows = _kept("index", [quarter, within.code if within else ""], lambda: _index_rows(quarter, within))
    page = Paginator(rows, FIGURES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "chosen": chosen}
    return render(request, "procedures/index.html", context)
