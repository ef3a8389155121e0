"""The commission that examines large projects: the file reaches it within 3 working days (at once when an agent
takes it up), each member gives its opinion within its own delay (one clock per member), every opinion is seen by
all members as soon as it is entered, and each meeting's agenda is built from the dossiers whose opinions are in."""

from collections.abc import Sequence
from datetime import date
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.access.selectors import holders_of
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.documents.services import keep
from raqmana.kernel.scanning import ScanState
from raqmana.kernel.text import TextKind, check_text
from raqmana.kernel.uploads import scanned_uploads
from raqmana.notifications.services import notify
from raqmana.territories.models import AdministrativeUnit

from ..constants import (
    OPINION_PERMISSIONS,
    PERMANENT_MEMBERS,
    CommissionMember,
    DossierState,
    OpinionState,
    Verdict,
)
from ..formdefs import Condition
from ..models import CommissionMeeting, Dossier, Opinion, OpinionAttachment
from ..workflows import OPINION_WORKFLOW, lock_opinion

MAX_OPINION_FILES = 5


def commission_members(dossier: Dossier) -> list[CommissionMember]:
    """Who sits for this dossier: the commune, the province and the urban agency always; the land registry, civil
    protection or the utility when the procedure's definition calls them for what the project is (its answers)."""
    members = list(PERMANENT_MEMBERS)
    commission = dossier.version.definition.get("commission") or {}
    for entry in commission.get("members", []) if isinstance(commission, dict) else []:
        try:
            member = CommissionMember(entry.get("member"))
        except (AttributeError, ValueError):
            continue
        shown_if = entry.get("shown_if")
        conditional = isinstance(shown_if, dict) and isinstance(shown_if.get("in"), list)
        if conditional and not Condition(str(shown_if["field"]), tuple(shown_if["in"])).holds(dossier.answers):
            continue
        if member not in members:
            members.append(member)
    return members


def refer_to_commission(dossier: Dossier, *, by: User | None) -> list[Opinion]:
    """Send a large project's dossier (locked by the caller) to the commission: one opinion asked of each member,
    each with its own clock, and the members told. Once per examination: a dossier already referred is left."""
    if dossier.referred_at is not None or not dossier.procedure.through_commission:
        return []
    last_round = dossier.opinions.aggregate(last=Max("round"))["last"] or 0
    dossier.referred_at = timezone.now()
    dossier.save(update_fields=["referred_at", "updated_at"])
    opinions = []
    for member in commission_members(dossier):
        opinion = Opinion.objects.create(dossier=dossier, member=member, round=last_round + 1)
        OPINION_WORKFLOW.open(opinion, by=by)
        opinions.append(opinion)
        for person in holders_of(OPINION_PERMISSIONS[member], at=dossier.commune):
            notify(
                cast(User, person),
                "procedures.opinion_requested",
                {"dossier": dossier, "opinion": opinion},
                unit=dossier.unit,
            )
    record(
        actor=by,
        action="dossier.referred",
        target=dossier,
        unit=dossier.unit,
        details={"members": [opinion.member for opinion in opinions], "round": last_round + 1},
    )
    return opinions


def give_opinion(opinion: Opinion, *, by: User, verdict: str, text: str, files: Sequence[File] = ()) -> Opinion:
    """A member's opinion: favourable, with conditions, or unfavourable; conditions and an unfavourable opinion say
    why. Its files are checked and scanned like the applicant's (an infected one refuses the whole opinion). Seen by
    all members at once; a late one is recorded late."""
    try:
        verdict = Verdict(verdict)
    except ValueError:
        raise ValidationError(
            {"verdict": _("Choose the opinion: favourable, with conditions, or unfavourable.")}
        ) from None
    try:
        text = check_text((text or "").strip(), TextKind.MULTILINE_TEXT, max_length=5000)
    except ValidationError as error:
        raise ValidationError({"text": error.messages}) from error
    if verdict != Verdict.FAVOURABLE and not text:
        raise ValidationError({"text": _("Say what the conditions or the reasons are.")})
    scanned = scanned_uploads(  # before the transaction: rewriting and scanning take time
        files,
        most=MAX_OPINION_FILES,
        scanner_away=_("The virus scanner does not answer: give the opinion again in a few minutes."),
    )
    with transaction.atomic():
        opinion = lock_opinion(opinion.pk)
        dossier = opinion.dossier
        if dossier.state not in (DossierState.FILED, DossierState.UNDER_REVIEW, DossierState.INFORMATION_REQUESTED):
            raise ValidationError(_("This dossier is no longer before the commission."))
        OPINION_WORKFLOW.move(opinion, OpinionState.GIVEN, by=by, reason=verdict.label)
        opinion.verdict, opinion.text, opinion.given_by, opinion.given_at = verdict, text, by, timezone.now()
        opinion.save(update_fields=["state", "verdict", "text", "given_by", "given_at"])
        for one in scanned:
            keep(one, OpinionAttachment(opinion=opinion, scan=ScanState.CLEAN), prefix=opinion.pk)
        record(
            actor=by,
            action="dossier.opinion_given",
            target=dossier,
            unit=dossier.unit,
            reason=verdict.label,
            details={"member": opinion.member, "round": opinion.round},
        )
    return opinion


def close_awaited_opinions(dossier: Dossier, reason: str) -> None:
    """The dossier (locked by the caller) was decided or withdrawn: the opinions still awaited are no longer, and their
    clocks stop, so that no member is counted late for a dossier that no longer needs them."""
    if dossier.referred_at is None:  # never sent to the commission: no opinion was asked
        return
    for pk in dossier.opinions.filter(state=OpinionState.REQUESTED).values_list("pk", flat=True):
        opinion = Opinion.objects.select_for_update().get(pk=pk)
        OPINION_WORKFLOW.move(opinion, OpinionState.CLOSED, by=None, reason=reason)
        opinion.save(update_fields=["state"])


def opinions_awaited(dossier: Dossier) -> bool:
    """Whether the commission still awaits opinions of the dossier's latest examination (or was never asked)."""
    if not dossier.procedure.through_commission:
        return False
    return dossier.referred_at is None or dossier.opinions.filter(state=OpinionState.REQUESTED).exists()


def ready_for_meeting(unit: AdministrativeUnit) -> QuerySet[Dossier]:
    """The unit's dossiers before the commission whose opinions of their last examination are all in (given, or not
    given within the delay), and that no meeting has examined since they were referred."""
    awaited = Opinion.objects.filter(dossier=OuterRef("pk"), state=OpinionState.REQUESTED)
    examined = CommissionMeeting.objects.filter(dossiers=OuterRef("pk"), created_at__gte=OuterRef("referred_at"))
    return (
        Dossier.objects.filter(
            unit=unit,
            referred_at__isnull=False,
            state__in=[DossierState.FILED, DossierState.UNDER_REVIEW, DossierState.INFORMATION_REQUESTED],
        )
        .exclude(Exists(awaited))
        .exclude(Exists(examined))
        .order_by("referred_at", "pk")
    )


def convene(unit: AdministrativeUnit, *, by: User, held_on: date, place: str = "") -> CommissionMeeting:
    """Schedule a meeting of the unit's commission, its agenda the dossiers ready for it (`ready_for_meeting`)."""
    require(by, "procedures.dossier.review", unit)
    if held_on < timezone.localdate():
        raise ValidationError({"held_on": _("A meeting is scheduled for today or a later day.")})
    with transaction.atomic():
        meeting = CommissionMeeting(unit=unit, held_on=held_on, place=place.strip(), created_by=by)
        meeting.check_texts()
        meeting.save()
        meeting.dossiers.set(ready_for_meeting(unit))
        record(
            actor=by,
            action="commission.convened",
            target=meeting,
            unit=unit,
            details={"dossiers": meeting.dossiers.count()},
        )
    return meeting


def restart_examination(dossier: Dossier, *, by: User) -> list[Opinion]:
    """A refused dossier sent back is examined again: each member is asked for a new opinion (the dossier is
    locked by the caller)."""
    dossier.referred_at = None
    return refer_to_commission(dossier, by=by)
