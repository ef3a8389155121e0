"""Reads of the catalogue (public), of an applicant's own dossiers, and of the dossiers an office handles: scoped
to the reader's places (access.scoping), each agent's opening of a dossier logged (Law 09-08)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from raqmana.access.checking import has_permission
from raqmana.access.scoping import scope_condition, scopes_of, visible_to
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.kernel.references import reference_to
from raqmana.kernel.scanning import ScanState
from raqmana.territories.models import AdministrativeUnit
from raqmana.workflows.models import Clock, ClockState

from .constants import OPINION_PERMISSIONS, PENDING_STATES, DossierState, OpinionState
from .models import (
    Attachment,
    CommissionMeeting,
    Dossier,
    DossierExport,
    DossierMessage,
    Opinion,
    OpinionAttachment,
    Procedure,
)
from .workflows import DOSSIER_WORKFLOW, OPINION_WORKFLOW

READ_REASON = gettext_lazy("Review of a dossier")
MEMBER_READ_REASON = gettext_lazy("Opinion of a commission member on a dossier")


def catalogue() -> QuerySet[Procedure]:
    """The published procedures, by category and order."""
    return Procedure.objects.filter(published=True, current_version__isnull=False).select_related("current_version")


def published_procedure(code: str) -> Procedure:
    """A published procedure by its code; Http404 otherwise."""
    procedure = catalogue().filter(code=code).first()
    if procedure is None:
        raise Http404(_("No such procedure."))
    return procedure


def dossiers_of(applicant: User) -> QuerySet[Dossier]:
    """The applicant's own dossiers, the latest first."""
    return Dossier.objects.filter(applicant=applicant).select_related("procedure", "unit", "commune")


def own_dossier(applicant: User, pk: int | str) -> Dossier:
    """One of the applicant's own dossiers; Http404 for any other (nobody learns that another's exists)."""
    dossier = (
        dossiers_of(applicant).select_related("version", "receipt", "decision", "enterprise").filter(pk=pk).first()
    )
    if dossier is None:
        raise Http404(_("No such dossier."))
    return dossier


def dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    """The filed dossiers at the places the user reads dossiers for."""
    filed = Dossier.objects.exclude(state__in=[DossierState.DRAFT, DossierState.EXPIRED])
    return visible_to(filed, user, permission="procedures.dossier.read")


def office_dossier(user: User, pk: int | str) -> Dossier:
    """A dossier the user reads at its office, the read logged; Http404 for one out of their places."""
    dossier = (
        dossiers_visible_to(user)
        .select_related("procedure", "version", "unit", "commune", "applicant", "enterprise", "assigned_to")
        .select_related("receipt", "decision")
        .filter(pk=pk)
        .first()
    )
    if dossier is None:
        raise Http404(_("No such dossier."))
    record(actor=user, action="dossier.read", target=dossier, unit=dossier.unit, reason=READ_REASON)
    return dossier


def messages_for(dossier: Dossier, *, office: bool) -> QuerySet[DossierMessage]:
    """The dossier's messages: all of them for its office, without the private notes for its applicant."""
    messages = dossier.messages.select_related("author")
    return messages if office else messages.filter(private=False)


def attachment(pk: int) -> Attachment:
    """A file by its id, with its dossier, for a page that then checks who may act on it; Http404 when none."""
    found = Attachment.objects.select_related("dossier__unit").filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such file."))
    return found


def information_request(dossier: Dossier) -> DossierMessage | None:
    """The office's latest request for corrections, while the dossier waits on it."""
    if dossier.state != DossierState.INFORMATION_REQUESTED:
        return None
    return dossier.messages.filter(private=False).exclude(correction="").order_by("-at", "-pk").first()


def attachments_of(dossier: Dossier) -> QuerySet[Attachment]:
    return dossier.attachments.filter(removed_at__isnull=True)


def kept_files(dossier: Dossier) -> list[Attachment]:
    """The files the dossier keeps for its answers: not taken off, not found infected, in the order given (a file of
    a field the answers hide is among them; `Form.file_ids` says which the answers hold). Those held by this Dossier
    object (`hold_kept_files`), else read now."""
    held = getattr(dossier, "held_files", None)
    if held is not None:
        return held
    return list(dossier.attachments.filter(removed_at=None).exclude(scan=ScanState.INFECTED).order_by("pk"))


def hold_kept_files(dossier: Dossier) -> None:
    """Read the dossier's kept files once for this object, its row locked, so that no file comes or goes until the
    commit: a filing checks its answers with them, then lists them on its receipt."""
    dossier.held_files = kept_files(dossier)


def open_attachment(user: User, attachment: Attachment) -> IO[bytes]:
    """A dossier's file, for its applicant, an agent of its office or a member of its commission, once the scanner
    found it clean; an agent's or a member's opening is logged."""
    dossier = attachment.dossier
    if attachment.removed_at is not None and dossier.applicant_id != user.pk:
        raise Http404(_("No such file."))  # taken off by its applicant: not part of what was filed
    if dossier.applicant_id != user.pk:
        office = dossier.unit is not None and has_permission(user, "procedures.dossier.read", dossier.unit)
        if not office and not opinions_for_member(user).filter(dossier=dossier).exists():
            raise Http404(_("No such file."))
        record(actor=user, action="dossier.attachment_read", target=dossier, unit=dossier.unit, reason=READ_REASON)
    if attachment.scan != ScanState.CLEAN or not attachment.file:
        raise PermissionDenied(_("This file is opened only once the virus scanner has found it clean."))
    return attachment.file.open("rb")


@dataclass(frozen=True)
class DelayLeft:
    """Where a dossier stands against its legal delay: days left (negative once late), paused, or run out."""

    days: int | None
    paused: bool
    late: bool


def delay_left(
    dossier: Dossier,
    *,
    state: str | None,
    due_at: datetime | None,
    remaining: timedelta | None,
    now: datetime | None = None,
) -> DelayLeft | None:
    """What is left of a dossier's decision delay, from its clock's state, due time and what was left at a pause
    (a queue's row carries them: `queue`): whole days, working days when its delay counts them; None without a
    clock (a draft) or once the decision stopped it."""
    if state is None or dossier.state not in PENDING_STATES:
        return None
    now = now or timezone.now()
    rule = DOSSIER_WORKFLOW.clock_rule("decision", dossier)
    if state == ClockState.PAUSED:
        kept = remaining or timedelta(0)
        # Counted as while it runs: a day begun counts for a delay in calendar days (a working day is kept whole).
        return DelayLeft(
            kept.days + (1 if not rule.working_days and kept.seconds else 0), paused=True, late=due_at is not None
        )
    if state == ClockState.EXPIRED or (state == ClockState.RUNNING and due_at is not None and due_at <= now):
        return DelayLeft(-(now - due_at).days if due_at else 0, paused=False, late=True)
    if state != ClockState.RUNNING or due_at is None:
        return None
    left = rule.left(due_at, now)
    # A delay in calendar days counts the day begun: 2 days and 3 hours left are 3 days.
    return DelayLeft(left.days + (1 if not rule.working_days and left.seconds else 0), paused=False, late=False)


def decision_delay_left(dossier: Dossier) -> DelayLeft | None:
    """`delay_left` for one dossier, its clock read here."""
    clock = Clock.objects.filter(**reference_to(dossier), workflow=DOSSIER_WORKFLOW.name, name="decision").first()
    if clock is None:
        return None
    return delay_left(dossier, state=clock.state, due_at=clock.due_at, remaining=clock.remaining)


def queue(user: User, *, assigned_to: User | None = None, state: str = "") -> QuerySet[Dossier]:
    """The dossiers awaiting a decision at the user's places, the nearest to their delay first (the clock's due time
    kept on the dossier, `decision_due_at`; those waiting for the applicant last): each carries its decision clock's
    due time, state and what was left at a pause (`clock_due_at`, `clock_state`, `clock_remaining`), read for the
    rows of the page only. The answers are not read."""
    clocks = Clock.objects.filter(
        subject_type=ContentType.objects.get_for_model(Dossier),
        subject_id=Cast(OuterRef("pk"), CharField()),
        workflow=DOSSIER_WORKFLOW.name,
        name="decision",
    )
    dossiers = dossiers_visible_to(user).filter(state__in=[state] if state in PENDING_STATES else PENDING_STATES)
    if assigned_to is not None:
        dossiers = dossiers.filter(assigned_to=assigned_to)
    return (
        dossiers.annotate(
            clock_due_at=Subquery(clocks.values("due_at")[:1]),
            clock_state=Subquery(clocks.values("state")[:1]),
            clock_remaining=Subquery(clocks.values("remaining")[:1]),
        )
        # Read for the page's rows once it is cut, each by its ids: joined to the query, every pending dossier of
        # the office would be joined and sorted whole, and a join of seven tables takes longer to plan than to run.
        .prefetch_related("procedure", "commune", "unit", "assigned_to", "applicant", "enterprise")
        .defer("answers")
        .order_by(F("decision_due_at").asc(nulls_last=True), "filed_at", "pk")
    )


def opinions_for_member(user: User) -> QuerySet[Opinion]:
    """The opinions asked of the commission members the user represents, at the places they represent them (a
    member's permission held for the dossier's commune, or a territory containing it)."""
    condition = Q(pk__in=[])
    for member, permission in OPINION_PERMISSIONS.items():
        if not scopes_of(user, permission):
            continue
        where = scope_condition(user, (("dossier__commune", None),), permission)
        condition |= Q(member=member) if where is None else Q(member=member) & where
    return Opinion.objects.filter(condition)


def awaited_opinions(user: User) -> QuerySet[Opinion]:
    """The opinions the user's members owe or gave on dossiers before the commission, in the order they were asked
    (`awaited_opinions_by_delay` orders them as the member's queue works them)."""
    return (
        opinions_for_member(user)
        .filter(dossier__state__in=PENDING_STATES)
        .select_related("dossier__procedure", "dossier__commune", "dossier__unit", "given_by")
        .order_by("requested_at", "pk")
    )


def member_dossier(user: User, pk: int | str) -> Dossier:
    """A dossier before the commission, read by one of its members (the read logged); Http404 for any other."""
    dossier = (
        Dossier.objects.filter(pk=pk, opinions__in=opinions_for_member(user))
        .select_related("procedure", "version", "unit", "commune", "applicant", "enterprise")
        .distinct()
        .first()
    )
    if dossier is None:
        raise Http404(_("No such dossier."))
    record(actor=user, action="dossier.read", target=dossier, unit=dossier.unit, reason=MEMBER_READ_REASON)
    return dossier


def opinions_of(dossier: Dossier) -> QuerySet[Opinion]:
    """Every opinion of the dossier's latest examination, as every member sees them as soon as they are entered."""
    latest = dossier.opinions.aggregate(latest=Max("round"))["latest"]
    return (
        dossier.opinions.filter(round=latest)
        .select_related("given_by")
        .prefetch_related("attachments")
        .order_by("member")
    )


# The commission's pages, its meetings and the exports: reads added with their pages.


def with_opinion_clocks(opinions: QuerySet[Opinion]) -> QuerySet[Opinion]:
    """The opinions, each with its member's clock's due time and state (`clock_due_at`, `clock_state`), read for
    the rows of a page only (`opinion_delay_left`)."""
    clocks = Clock.objects.filter(
        subject_type=ContentType.objects.get_for_model(Opinion),
        subject_id=Cast(OuterRef("pk"), CharField()),
        workflow=OPINION_WORKFLOW.name,
        name="opinion",
    )
    return opinions.annotate(
        clock_due_at=Subquery(clocks.values("due_at")[:1]), clock_state=Subquery(clocks.values("state")[:1])
    )


def awaited_opinions_by_delay(user: User) -> QuerySet[Opinion]:
    """`awaited_opinions`, the member's queue in the order it is worked: the opinions still owed first, the nearest
    to their delay first (the late ones before all), then those given; each with its clock (`with_opinion_clocks`)."""
    return (
        with_opinion_clocks(awaited_opinions(user))
        .select_related("dossier__version")
        .annotate(given=Case(When(state=OpinionState.GIVEN, then=Value(1)), default=Value(0)))
        .order_by("given", F("clock_due_at").asc(nulls_last=True), "requested_at", "pk")
    )


def opinion_delay_left(opinion: Opinion, *, now: datetime | None = None) -> DelayLeft | None:
    """Where a member stands against its delay (working days): days left, or late (its clock ran out: the opinion
    lapsed, late by `-days`, or was given late, `days` 0); None once given in time. Read from the clock annotated by
    `with_opinion_clocks`, else from its row."""
    if hasattr(opinion, "clock_state"):
        state, due_at = opinion.clock_state, getattr(opinion, "clock_due_at", None)
    else:
        clock = Clock.objects.filter(**reference_to(opinion), workflow=OPINION_WORKFLOW.name, name="opinion").first()
        state, due_at = (clock.state, clock.due_at) if clock is not None else (None, None)
    if state is None:
        return None
    now = now or timezone.now()
    run_out = state == ClockState.EXPIRED or (state == ClockState.RUNNING and due_at is not None and due_at <= now)
    if run_out:
        late_by = (now - due_at).days if due_at is not None and opinion.state != OpinionState.GIVEN else 0
        return DelayLeft(-late_by, paused=False, late=True)
    if state != ClockState.RUNNING or due_at is None:
        return None
    return DelayLeft(OPINION_WORKFLOW.clock_rule("opinion", opinion).left(due_at, now).days, paused=False, late=False)


def opinion_before(user: User, pk: int | str) -> Opinion:
    """An opinion on a dossier before one of the commission members the user represents, whichever member it is
    asked of (the service then says whether the user gives it); Http404 for any other."""
    opinion = (
        Opinion.objects.filter(pk=pk, dossier__opinions__in=opinions_for_member(user))
        .select_related("dossier__commune", "dossier__unit")
        .distinct()
        .first()
    )
    if opinion is None:
        raise Http404(_("No such opinion."))
    return opinion


def opinion_file(pk: int) -> OpinionAttachment:
    """A file given with an opinion, by its id, for a page that then checks who opens it; Http404 when none."""
    found = OpinionAttachment.objects.select_related("opinion__dossier__unit").filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such file."))
    return found


def open_opinion_file(user: User, found: OpinionAttachment) -> IO[bytes]:
    """A file given with an opinion, for the members of its dossier's commission and the agents of its office, once
    the scanner found it clean; the opening logged. Http404 for anyone else."""
    dossier = found.opinion.dossier
    office = dossier.unit is not None and has_permission(user, "procedures.dossier.read", dossier.unit)
    if not office and not opinions_for_member(user).filter(dossier=dossier).exists():
        raise Http404(_("No such file."))
    record(
        actor=user,
        action="dossier.attachment_read",
        target=dossier,
        unit=dossier.unit,
        reason=READ_REASON if office else MEMBER_READ_REASON,
        details={"opinion_file": found.pk},
    )
    if found.scan != ScanState.CLEAN or not found.file:
        raise PermissionDenied(_("This file is opened only once the virus scanner has found it clean."))
    return found.file.open("rb")


def review_units(user: User) -> QuerySet[AdministrativeUnit]:
    """The single windows whose commission the user convenes: those of the kinds that receive a commission's
    dossiers, where the user reviews dossiers (a role held at the unit, or for a territory containing it)."""
    kinds = Procedure.objects.filter(through_commission=True).values("competent_unit_kind")
    units = AdministrativeUnit.objects.filter(kind__in=kinds).select_related("territory")
    condition = scope_condition(user, (("territory", "pk"),), "procedures.dossier.review")
    return (units if condition is None else units.filter(condition)).order_by("code")


def meetings_of(units: Iterable[AdministrativeUnit]) -> QuerySet[CommissionMeeting]:
    """The meetings of these units' commissions, the latest first, each with its agenda."""
    agenda = Dossier.objects.select_related("unit", "procedure").order_by("referred_at", "pk")
    return (
        CommissionMeeting.objects.filter(unit__in=list(units))
        .select_related("unit", "created_by")
        .prefetch_related(Prefetch("dossiers", queryset=agenda))
        .order_by("-held_on", "-pk")
    )


def exports_of(user: User) -> QuerySet[DossierExport]:
    """The exports of dossiers the user asked for, the latest first."""
    return DossierExport.objects.filter(requested_by=user).order_by("-created_at", "-pk")


def own_export(user: User, pk: int | str) -> DossierExport:
    """One of the user's own exports; Http404 for any other's (nobody learns that another's exists)."""
    export = exports_of(user).filter(pk=pk).first()
    if export is None:
        raise Http404(_("No such export."))
    return export
