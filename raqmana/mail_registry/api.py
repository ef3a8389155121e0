"""The mail registry in the API: search and the day's register of the person's communes, a letter, and registering
one (its scans are added on the page). Every read goes through the territory scoping; a confidential letter's
subject is given only to those who read confidential mail."""

from datetime import date, datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from raqmana.access.checking import require
from raqmana.accounts.models import User
from raqmana.kernel.api_errors import REFUSALS
from raqmana.kernel.api_types import Day, Id
from raqmana.territories.models import Territory

from . import selectors, services
from .constants import MAX_NAME, MAX_SUBJECT, Direction
from .models import MailEntry
from .selectors import Search

router = Router(tags=["mail registry"])


class LetterOut(Schema):
    id: int
    reference: str
    direction: Direction
    commune_code: str
    registered_at: datetime
    letter_date: date | None
    correspondent: str
    correspondent_reference: str
    subject: str | None = Field(description="null for a confidential letter the person does not read")
    confidential: bool
    routed_to: str
    answer_due_on: date | None
    in_reply_to: str | None
    answered_by: str | None
    dossier: str | None
    complaint: str | None


def _outs(user: User, letters: list[MailEntry]) -> list[dict]:
    """The letters as the API gives them, the outgoing letters answering them read in one query."""
    replies = MailEntry.objects.filter(in_reply_to__in=letters).only("in_reply_to", "direction", "year", "number")
    answers = {reply.in_reply_to_id: reply.reference for reply in replies}
    return [_out(user, letter, answers.get(letter.pk)) for letter in letters]


def _out(user: User, letter: MailEntry, answered_by: str | None) -> dict:
    return {
        "id": letter.pk,
        "reference": letter.reference,
        "direction": letter.direction,
        "commune_code": letter.commune.code,
        "registered_at": letter.registered_at,
        "letter_date": letter.letter_date,
        "correspondent": letter.correspondent,
        "correspondent_reference": letter.correspondent_reference,
        "subject": letter.subject if selectors.shows_confidential(user, letter) else None,
        "confidential": letter.confidential,
        "routed_to": letter.routed_to,
        "answer_due_on": letter.answer_due_on,
        "in_reply_to": letter.in_reply_to.reference if letter.in_reply_to_id else None,
        "answered_by": answered_by,
        "dossier": letter.dossier.reference if letter.dossier_id else None,
        "complaint": letter.complaint.reference if letter.complaint_id else None,
    }


@router.get("/", response={200: list[LetterOut], **REFUSALS}, auth=django_auth)
def search(
    request,
    number: Annotated[str, Field(max_length=20)] = "",
    correspondent: Annotated[str, Field(max_length=MAX_NAME)] = "",
    subject: Annotated[str, Field(max_length=MAX_SUBJECT)] = "",
    direction: Direction | None = None,
    day_from: Day | None = None,
    day_to: Day | None = None,
):
    """The letters of the person's communes matching every criterion given, the latest first (at most 200)."""
    criteria = Search(
        number=number,
        correspondent=correspondent,
        subject=subject,
        direction=direction or "",
        day_from=day_from,
        day_to=day_to,
    )
    return _outs(request.user, selectors.search(request.user, criteria))


@router.get("/day", response={200: list[LetterOut], **REFUSALS}, auth=django_auth)
def day_register(request, day: Day | None = None):
    """Every letter registered on a day (today by default) at the person's communes, in the order of their numbers."""
    letters = selectors.day_register(request.user, day or timezone.localdate())
    return _outs(request.user, letters)


@router.get("/{letter_id}", response={200: LetterOut, **REFUSALS}, auth=django_auth)
def letter(request, letter_id: Id):
    found = selectors.letter_for(request.user, letter_id)
    if found is None:
        return Status(404, {"detail": _("No such letter.")})
    return _outs(request.user, [found])[0]


class LetterIn(Schema):
    commune_code: str = Field("", max_length=16, description="empty: the one commune whose mail the person registers")
    direction: Direction
    correspondent: str = Field(max_length=MAX_NAME)
    correspondent_reference: str = Field("", max_length=60)
    letter_date: Day | None = None
    subject: str = Field(max_length=MAX_SUBJECT)
    confidential: bool = False
    routed_to: str = Field("", max_length=MAX_NAME)
    answer_due_on: Day | None = None
    in_reply_to: str = Field("", max_length=20, description="the incoming letter answered: A-2026/12")
    dossier: str = Field("", max_length=40, description="the dossier concerned, as its receipt numbers it")
    complaint: str = Field("", max_length=40, description="the complaint concerned, by its tracking number")


@router.post("/", response={201: LetterOut, **REFUSALS}, auth=django_auth)
def register(request, payload: LetterIn):
    """Register a letter of one of the person's communes: numbered at once in its register of the year."""
    communes = selectors.registering_communes(request.user)
    if payload.commune_code:
        commune = get_object_or_404(Territory, code=payload.commune_code)
    elif len(communes) == 1:
        commune = communes[0]
    else:
        return Status(422, {"detail": _("Say which commune's mail this is (commune_code).")})
    require(request.user, "mail_registry.letter.register", commune)  # before the numbers it names are looked up
    links = selectors.letter_links(
        request.user, commune, in_reply_to=payload.in_reply_to, dossier=payload.dossier, complaint=payload.complaint
    )
    entry = services.register_letter(
        by=request.user,
        commune=commune,
        direction=payload.direction,
        correspondent=payload.correspondent,
        correspondent_reference=payload.correspondent_reference,
        letter_date=payload.letter_date,
        subject=payload.subject,
        confidential=payload.confidential,
        routed_to=payload.routed_to,
        answer_due_on=payload.answer_due_on,
        **links,
    )
    return Status(201, _outs(request.user, [entry])[0])
