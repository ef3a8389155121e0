"""Reads of requests: every agent's read through the territory scoping (`access.scoping.visible_to`), the opening
of one logged (Law 09-08); the complainant's own; an anonymous observation by its number and code; and the public
figures, aggregates per collectivity only."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from raqmana.access.scoping import visible_to
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.territories.constants import PROVINCIAL_LEVELS, Level
from raqmana.territories.models import Territory
from raqmana.territories.selectors import place_chain

from .constants import OPEN_STATES, AnswerOutcome, CollectivityLevel, Rating
from .models import Complaint, ComplaintAttachment, follow_code_hash

READ = "complaints.complaint.read"


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    """The requests filed with the collectivities the user reads requests of."""
    return visible_to(Complaint.objects.all(), user, permission=READ)


def queue(user: User, *, state: str = "", late: bool = False, now: datetime | None = None) -> QuerySet[Complaint]:
    """The requests awaiting the administration at the user's collectivities, the nearest to their answer's delay first;
    `late`: only those escalated or past it."""
    now = now or timezone.now()
    # The open states always, as the partial index of the open requests names them (complaint_open_queue): one
    # state alone would lead PostgreSQL's planner past the index, to scan every request.
    found = complaints_visible_to(user).filter(state__in=OPEN_STATES).select_related("collectivity")
    if state in {str(s) for s in OPEN_STATES}:
        found = found.filter(state=state)
    if late:
        found = found.filter(Q(escalated_at__isnull=False) | Q(answer_due_at__lte=now))
    return found.order_by(F("answer_due_at").asc(nulls_last=True), "pk")


def is_late(complaint: Complaint, now: datetime | None = None) -> bool:
    """Whether an open request is beyond one of its delays: shown in red in every queue."""
    if complaint.state not in OPEN_STATES:
        return False
    now = now or timezone.now()
    due = complaint.answer_due_at
    return complaint.escalated_at is not None or (due is not None and due <= now)


def complaint_for_agent(user: User, pk: int) -> Complaint:
    """A request the user reads at its collectivity, its opening logged; Http404 when out of their reach."""
    found = (
        complaints_visible_to(user)
        .select_related("collectivity", "unit", "complainant", "answer")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("No such request."))
    record(actor=user, action="complaint.read", target=found, unit=found.unit)
    return found


def own_complaint(person: User, pk: int) -> Complaint:
    """A request the person filed in their name; Http404 for any other."""
    found = complaints_of(person).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such request."))
    return found


def complaints_of(person: User) -> QuerySet[Complaint]:
    """The requests a person filed in their name."""
    if not person.is_authenticated:
        return Complaint.objects.none()
    return Complaint.objects.filter(complainant_id=person.pk).select_related("collectivity", "answer")


def followed(reference: str, code: str) -> Complaint | None:
    """An anonymous observation by its tracking number ("collectivity code/year/number") and the code its filer
    was given."""
    parts = reference.strip().split("/")
    if len(parts) != 3 or not all(part.isdigit() for part in parts[1:]) or not code.strip():
        return None
    commune_code, year, number = parts[0], int(parts[1]), int(parts[2])
    if year > 9999 or number > 2**31 - 1:
        return None
    found = (
        Complaint.objects.filter(collectivity__code=commune_code, year=year, number=number, anonymous=True)
        .select_related("collectivity", "answer")
        .first()
    )
    if found is None:
        return None
    return found if constant_time_compare(follow_code_hash(found.pk, code), found.follow_code_hash) else None


def attachment_for(user: User, pk: int) -> ComplaintAttachment | None:
    """A request's file, for the person who filed the request in their name or for an agent who reads the request
    at its collectivity (that opening logged); None otherwise."""
    found = ComplaintAttachment.objects.select_related("complaint__unit").filter(pk=pk).first()
    if found is None or not user.is_authenticated:
        return None
    if found.complaint.complainant_id == user.pk:
        return found
    if not complaints_visible_to(user).filter(pk=found.complaint_id).exists():
        return None
    record(actor=user, action="complaint.attachment_read", target=found.complaint, unit=found.complaint.unit)
    return found


@dataclass
class CommuneFigures:
    collectivity_id: int
    name: str
    received: int
    answered: int
    favourable: int
    reopened: int
    in_progress: int
    satisfied: int
    unsatisfied: int
    average_days: float | None

    @property
    def favourable_share(self) -> float | None:
        return round(100 * self.favourable / self.answered, 1) if self.answered else None


def _delay() -> ExpressionWrapper:
    return ExpressionWrapper(F("answered_at") - F("filed_at"), output_field=DurationField())


def _days(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def public_figures(year: int, *, territory_ids: list[int] | None = None) -> list[CommuneFigures]:
    """Per collectivity, the requests received in `year`: received, answered, answered favourably, re-opened, in
    progress, satisfied and not, and the average days to an answer. Aggregates only: no request is shown."""
    found = Complaint.objects.filter(year=year)
    if territory_ids is not None:
        found = found.filter(collectivity_id__in=territory_ids)
    rows = (
        found.values("collectivity_id", "collectivity__name_ar", "collectivity__name_fr")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            favourable=Count("pk", filter=Q(answered_at__isnull=False, outcome=AnswerOutcome.FAVOURABLE)),
            reopened=Count("pk", filter=Q(reopened_at__isnull=False)),
            in_progress=Count("pk", filter=Q(state__in=OPEN_STATES)),
            satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)),
            unsatisfied=Count("pk", filter=Q(rating=Rating.UNSATISFIED)),
            average=Avg(_delay(), filter=Q(answered_at__isnull=False)),
        )
        .order_by("-received", "collectivity_id")
    )
    arabic = (get_language() or "ar").startswith("ar")
    return [
        CommuneFigures(
            collectivity_id=row["collectivity_id"],
            name=row["collectivity__name_ar"] if arabic else row["collectivity__name_fr"],
            received=row["received"],
            answered=row["answered"],
            favourable=row["favourable"],
            reopened=row["reopened"],
            in_progress=row["in_progress"],
            satisfied=row["satisfied"],
            unsatisfied=row["unsatisfied"],
            average_days=_days(row["average"]),
        )
        for row in rows
    ]


def monthly_delays(year: int, collectivity_id: int) -> list[tuple[datetime, float | None, int]]:
    """For one collectivity, per month of receipt in `year`: the average days to an answer and the requests received."""
    rows = (
        Complaint.objects.filter(year=year, collectivity_id=collectivity_id)
        .annotate(month=TruncMonth("filed_at"))
        .values("month")
        .annotate(average=Avg(_delay(), filter=Q(answered_at__isnull=False)), received=Count("pk"))
        .order_by("month")
    )
    return [(row["month"], _days(row["average"]), row["received"]) for row in rows]


def collectivity_of(commune: Territory, level: str) -> Territory:
    """The collectivity whose services a request is against: the commune itself, or the province or prefecture, or
    the region it lies in."""
    if level == CollectivityLevel.COMMUNE:
        return commune
    wanted = PROVINCIAL_LEVELS if level == CollectivityLevel.PROVINCE else (Level.REGION,)
    for place in place_chain(commune.pk):
        if place.level in wanted:
            return place
    raise ValidationError({"level": _("Choose whose services the request is against.")})
