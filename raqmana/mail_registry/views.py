"""The mail registry's pages: registering a letter, the search, the day's register and its CSV export, a letter.
Thin: the services decide, the selectors read (scoped); a refusal is shown beside what was typed."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.audiences import open_to
from raqmana.access.checking import has_permission
from raqmana.kernel.refusals import show_refusal

from . import forms, printing, selectors, services
from .constants import Direction
from .selectors import Search

READ = "mail_registry.letter.read"


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    may_register = has_permission(request.user, "mail_registry.letter.register")
    return render(request, template, {**context, "may_register": may_register})


@open_to("mail_registry.letter.register")
def register(request: HttpRequest) -> HttpResponse:
    communes = selectors.registering_communes(request.user)
    form = forms.RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and communes:
        data, commune = form.cleaned_data, communes[0]
        try:
            links = selectors.letter_links(
                request.user,
                commune,
                in_reply_to=data["in_reply_to"],
                dossier=data["dossier"],
                complaint=data["complaint"],
            )
            entry = services.register_letter(
                by=request.user,
                commune=commune,
                direction=data["direction"],
                correspondent=data["correspondent"],
                correspondent_reference=data["correspondent_reference"],
                letter_date=data["letter_date"],
                subject=data["subject"],
                confidential=data["confidential"],
                routed_to=data["routed_to"],
                answer_due_on=data["answer_due_on"],
                files=data["files"],
                **links,
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Registered under number %(reference)s.") % {"reference": entry.reference})
            return redirect("mail_registry:letter", entry.pk)
    return _page(request, "mail_registry/register.html", {"form": form, "communes": communes})


@open_to(READ)
def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    letters = None
    if request.GET and form.is_valid():
        letters = selectors.search(request.user, Search(**form.cleaned_data))
    rows = [(letter, selectors.shows_confidential(request.user, letter)) for letter in letters or []]
    return _page(request, "mail_registry/search.html", {"form": form, "rows": rows, "searched": letters is not None})


def _day(request: HttpRequest):
    form = forms.DayForm(request.GET or None)
    day = timezone.localdate()
    if form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    return form, day


@open_to(READ)
def day_register(request: HttpRequest) -> HttpResponse:
    form, day = _day(request)
    letters = selectors.day_register(request.user, day)
    rows = [(letter, selectors.shows_confidential(request.user, letter)) for letter in letters]
    return _page(request, "mail_registry/day.html", {"form": form, "day": day, "rows": rows})


class _Echo:
    def write(self, value: str) -> str:
        return value


@open_to(READ)
def day_register_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The day's register as CSV (UTF-8 with its mark, for spreadsheets); a confidential subject stays hidden."""
    _form, day = _day(request)
    letters = selectors.day_register(request.user, day)
    writer = csv.writer(_Echo())
    header = [_("Number"), _("Direction"), _("Registered at"), _("Sender or recipient"), _("Subject"), _("Routed to")]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for letter in letters:
            shown = selectors.shows_confidential(request.user, letter)
            yield writer.writerow(
                [
                    letter.reference,
                    Direction(letter.direction).label,
                    timezone.localtime(letter.registered_at).strftime("%Y-%m-%d %H:%M"),
                    letter.correspondent,
                    letter.subject if shown else _("Confidential"),
                    letter.routed_to,
                ]
            )

    answer = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="mail-register-{day.isoformat()}.csv"'
    return answer


@open_to(READ)
def day_register_pdf(request: HttpRequest) -> HttpResponse:
    """The day's register as a PDF to print and file, a confidential subject hidden as on the page."""
    _form, day = _day(request)
    letters = selectors.day_register(request.user, day)
    rows = [(letter, selectors.shows_confidential(request.user, letter)) for letter in letters]
    places = ", ".join(sorted({str(letter.commune.name) for letter in letters}))
    answer = HttpResponse(printing.day_register_pdf(rows, day, places), content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="mail-register-{day.isoformat()}.pdf"'
    return answer


@open_to(READ)
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.letter_for(request.user, pk)
    if found is None:
        raise Http404(_("No such letter."))
    context = {"letter": found, "shown": selectors.shows_confidential(request.user, found)}
    return _page(request, "mail_registry/letter.html", context)


@open_to(READ)
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.open_file(request.user, pk)
    if found is None:
        raise Http404(_("No such file."))
    try:
        opened = found.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such file.")) from None
    return FileResponse(opened, as_attachment=True, filename=found.name)
