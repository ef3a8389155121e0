"""Reads of legalisation: every officer's read through the territory scoping (`access.scoping.visible_to`), the
opening of a request or of a signer's specimen logged (Law 09-08); the citizen's own requests; an office's register
of the year; and the public figures, aggregates per office only."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from raqmana.access.checking import units_where
from raqmana.access.scoping import visible_to
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.territories.constants import UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory

from .constants import RequestState, Service
from .models import LegalisationRequest, Signer

READ = "legalisation.request.read"
HANDLE = "legalisation.request.handle"


def requests_visible_to(user: User) -> QuerySet[LegalisationRequest]:
    """The requests of the offices the user reads the register of."""
    return visible_to(LegalisationRequest.objects.all(), user, permission=READ)


def counters_of(user: User) -> list[AdministrativeUnit]:
    """The legalisation offices where the user legalises (their role held at the office)."""
    return [unit for unit in units_where(user, HANDLE) if unit.kind == UnitKind.LEGALISATION_OFFICE]


def queue(user: User) -> QuerySet[LegalisationRequest]:
    """The requests prepared online and waiting at the user's offices, the oldest first."""
    waiting = requests_visible_to(user).filter(state=RequestState.PREPARED)
    return waiting.select_related("office", "signer").order_by("prepared_at", "pk")


def register(user: User, office: AdministrativeUnit, year: int) -> QuerySet[LegalisationRequest]:
    """The office's register of the year as the user reads it: the entries in the order of their numbers."""
    entries = requests_visible_to(user).filter(office=office, year=year, number__isnull=False)
    return entries.select_related("completed_by").order_by("number")


def offices_read_by(user: User) -> QuerySet[AdministrativeUnit]:
    """The legalisation offices whose register the user reads."""
    offices = AdministrativeUnit.objects.filter(kind=UnitKind.LEGALISATION_OFFICE)
    return visible_to(offices, user, permission=READ).order_by("name_fr")


def request_for_agent(user: User, pk: int) -> LegalisationRequest:
    """A request the user reads at its office, its opening logged; Http404 when out of their reach."""
    related = ("office", "signer", "requester", "completed_by", "output")
    found = requests_visible_to(user).select_related(*related).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such request."))
    record(actor=user, action="legalisation.read", target=found, unit=found.office)
    return found


def own_request(person: User, pk: int) -> LegalisationRequest:
    """A request the person prepared, or one made at a counter in their enrolled name; Http404 for any other."""
    found = requests_of(person).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such request."))
    return found


def requests_of(person: User) -> QuerySet[LegalisationRequest]:
    if not person.is_authenticated:
        return LegalisationRequest.objects.none()
    return LegalisationRequest.objects.filter(requester_id=person.pk).select_related("office", "output")


def enrolment_of(person: User) -> Signer | None:
    if not person.is_authenticated:
        return None
    return Signer.objects.filter(account_id=person.pk).select_related("office").first()


def office_of(commune: Territory) -> AdministrativeUnit:
    """The open legalisation office of a commune or arrondissement; ValidationError on "office" when it has none."""
    office = (
        AdministrativeUnit.objects.filter(kind=UnitKind.LEGALISATION_OFFICE, territory=commune, is_active=True)
        .order_by("code")
        .first()
    )
    if office is None:
        raise ValidationError({"office": _("This commune has no legalisation office on Raqmana yet.")})
    return office


@dataclass(frozen=True)
class OfficeFigures:
    office: AdministrativeUnit
    requests: int
    signatures: int
    copies: int
    online: int
    completed: int
    completed_remotely: int
    refused: int
    withdrawn: int
    waiting: int
    average_hours: float | None  # from preparation online to completion


def public_figures(year: int, place: Territory | None = None) -> list[OfficeFigures]:
    """Per office, the requests of the year (by the day they were prepared or brought): how many, of which service,
    how they ended, and the average delay of those prepared online. Aggregates only: no name, no card."""
    found = LegalisationRequest.objects.filter(prepared_at__year=year)
    if place is not None:
        found = found.filter(Q(office__territory=place) | Q(office__territory__parent=place))
    delay = ExpressionWrapper(F("completed_at") - F("prepared_at"), output_field=DurationField())
    rows = (
        found.values("office")
        .annotate(
            total_requests=Count("pk"),
            total_signatures=Count("pk", filter=Q(service=Service.SIGNATURE)),
            total_copies=Count("pk", filter=Q(service=Service.COPY)),
            total_online=Count("pk", filter=Q(online=True)),
            total_completed=Count("pk", filter=Q(state=RequestState.COMPLETED)),
            total_completed_remotely=Count("pk", filter=Q(state=RequestState.COMPLETED, completion="remote")),
            total_refused=Count("pk", filter=Q(state=RequestState.REFUSED)),
            total_withdrawn=Count("pk", filter=Q(state=RequestState.WITHDRAWN)),
            total_waiting=Count("pk", filter=Q(state=RequestState.PREPARED)),
            delay=Avg(delay, filter=Q(online=True, state=RequestState.COMPLETED)),
        )
        .order_by("office")
    )
    offices = AdministrativeUnit.objects.in_bulk([row["office"] for row in rows])
    figures = []
    for row in rows:
        average = row["delay"]
        figures.append(
            OfficeFigures(
                office=offices[row["office"]],
                requests=row["total_requests"],
                signatures=row["total_signatures"],
                copies=row["total_copies"],
                online=row["total_online"],
                completed=row["total_completed"],
                completed_remotely=row["total_completed_remotely"],
                refused=row["total_refused"],
                withdrawn=row["total_withdrawn"],
                waiting=row["total_waiting"],
                average_hours=None if average is None else round(average.total_seconds() / 3600, 1),
            )
        )
    return sorted(figures, key=lambda figure: figure.office.name)
