"""Complaints in the API: a person's requests (filing, reading, rating, re-opening), the collectivity's queue and its
handling steps, and the public figures per collectivity. Every read of requests goes through the territory scoping."""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from raqmana.accounts.decorators import UNPROVED_CONTACT
from raqmana.kernel.api_errors import REFUSALS
from raqmana.kernel.api_types import Id
from raqmana.territories.models import Territory

from . import selectors, services
from .constants import (
    MAX_REASON,
    MAX_SUBJECT,
    MAX_TEXT,
    AnswerOutcome,
    ComplaintCategory,
    ComplaintState,
    Rating,
    RequestKind,
)
from .models import Complaint

router = Router(tags=["complaints"])


class ComplaintOut(Schema):
    id: int
    reference: str
    kind: RequestKind
    category: ComplaintCategory
    collectivity_code: str
    subject: str
    text: str
    state: ComplaintState
    late: bool
    filed_at: datetime
    answer_due_at: datetime | None
    forwarded_to: str
    answer_text: str
    outcome: AnswerOutcome | None
    answer_verification_code: str | None
    inadmissible_reasons: str
    rating: Rating | None


def _out(complaint: Complaint) -> dict:
    return {
        "id": complaint.pk,
        "reference": complaint.reference,
        "kind": complaint.kind,
        "category": complaint.category,
        "collectivity_code": complaint.collectivity.code,
        "subject": complaint.subject,
        "text": complaint.text,
        "state": complaint.state,
        "late": selectors.is_late(complaint),
        "filed_at": complaint.filed_at,
        "answer_due_at": complaint.answer_due_at,
        "forwarded_to": complaint.forwarded_to,
        "answer_text": complaint.answer_text,
        "outcome": complaint.outcome or None,
        "answer_verification_code": complaint.answer.verification_code if complaint.answer_id else None,
        "inadmissible_reasons": complaint.inadmissible_reasons,
        "rating": complaint.rating or None,
    }


class ComplaintIn(Schema):
    kind: RequestKind
    category: ComplaintCategory
    collectivity_code: str = Field(max_length=16, description="a commune's, a province's or prefecture's, a region's")
    subject: str = Field(max_length=MAX_SUBJECT)
    text: str = Field(max_length=MAX_TEXT)
    service: str = Field("", max_length=200)
    anonymous: bool = False


class FiledOut(ComplaintOut):
    follow_code: str  # an anonymous observation's code, given once; empty otherwise


@router.post("/", response={201: FiledOut, **REFUSALS}, auth=django_auth)
def file(request, payload: ComplaintIn):
    """File a complaint, an observation (which may be anonymous) or a suggestion against a collectivity's services."""
    if not request.user.has_verified_contact:
        raise PermissionDenied(UNPROVED_CONTACT)
    collectivity = get_object_or_404(Territory, code=payload.collectivity_code)
    complaint, code = services.file_complaint(
        by=request.user,
        kind=payload.kind,
        category=payload.category,
        collectivity=collectivity,
        subject=payload.subject,
        text=payload.text,
        service=payload.service,
        anonymous=payload.anonymous,
    )
    return Status(201, {**_out(complaint), "follow_code": code})


@router.get("/", response={200: list[ComplaintOut], **REFUSALS}, auth=django_auth)
def mine(request):
    """The requests the signed-in person filed in their name, the latest first."""
    found = selectors.complaints_of(request.user).order_by("-filed_at", "-pk")[:200]
    return [_out(complaint) for complaint in found]


@router.get("/mine/{complaint_id}", response={200: ComplaintOut, **REFUSALS}, auth=django_auth)
def own(request, complaint_id: Id):
    return _out(selectors.own_complaint(request.user, complaint_id))


class RatingIn(Schema):
    rating: Rating


@router.post("/mine/{complaint_id}/rating", response={200: ComplaintOut, **REFUSALS}, auth=django_auth)
def rate(request, complaint_id: Id, payload: RatingIn):
    return _out(
        services.rate(selectors.own_complaint(request.user, complaint_id), by=request.user, rating=payload.rating)
    )


class ReasonIn(Schema):
    reason: str = Field(max_length=MAX_REASON)


@router.post("/mine/{complaint_id}/reopen", response={200: ComplaintOut, **REFUSALS}, auth=django_auth)
def reopen(request, complaint_id: Id, payload: ReasonIn):
    """Re-open an answer once, within its period: the collectivity answers again."""
    return _out(
        services.reopen(selectors.own_complaint(request.user, complaint_id), by=request.user, reason=payload.reason)
    )


@router.get("/office", response={200: list[ComplaintOut], **REFUSALS}, auth=django_auth)
def queue(request, late: bool = False, page: Annotated[int, Field(ge=1, le=10_000)] = 1):
    """The requests awaiting the person's collectivities, the nearest to their answer's delay first, 50 a page."""
    now = timezone.now()
    found = selectors.queue(request.user, late=late, now=now).select_related("answer")[(page - 1) * 50 : page * 50]
    return [_out(complaint) for complaint in found]


@router.get("/office/{complaint_id}", response={200: ComplaintOut, **REFUSALS}, auth=django_auth)
def handled(request, complaint_id: Id):
    return _out(selectors.complaint_for_agent(request.user, complaint_id))


class ForwardIn(Schema):
    forwarded_to: str = Field(max_length=200)
    kind: RequestKind | None = None
    category: ComplaintCategory | None = None


@router.post("/office/{complaint_id}/forward", response={200: ComplaintOut, **REFUSALS}, auth=django_auth)
def forward(request, complaint_id: Id, payload: ForwardIn):
    complaint = services.forward(
        selectors.complaint_for_agent(request.user, complaint_id),
        by=request.user,
        forwarded_to=payload.forwarded_to,
        kind=payload.kind or "",
        category=payload.category or "",
    )
    return _out(complaint)


class AnswerIn(Schema):
    text: str = Field(max_length=MAX_TEXT)
    outcome: AnswerOutcome


@router.post("/office/{complaint_id}/answer", response={200: ComplaintOut, **REFUSALS}, auth=django_auth)
def answer(request, complaint_id: Id, payload: AnswerIn):
    """Answer the request: the answer is sealed as a document of the collectivity, verifiable by its QR code."""
    complaint = services.answer(
        selectors.complaint_for_agent(request.user, complaint_id),
        by=request.user,
        text=payload.text,
        outcome=payload.outcome,
    )
    return _out(complaint)


class ReasonsIn(Schema):
    reasons: str = Field(max_length=MAX_REASON)


@router.post("/office/{complaint_id}/not-admissible", response={200: ComplaintOut, **REFUSALS}, auth=django_auth)
def not_admissible(request, complaint_id: Id, payload: ReasonsIn):
    complaint = services.close_not_admissible(
        selectors.complaint_for_agent(request.user, complaint_id), by=request.user, reasons=payload.reasons
    )
    return _out(complaint)


class CommuneFiguresOut(Schema):
    collectivity_id: int
    name: str
    received: int
    answered: int
    favourable: int
    favourable_share: float | None
    reopened: int
    in_progress: int
    satisfied: int
    unsatisfied: int
    average_days: float | None


@router.get("/figures", response={200: list[CommuneFiguresOut], **REFUSALS})
def figures(request, year: Annotated[int, Field(ge=2000, le=2100)] | None = None):
    """Per collectivity, the requests received in a year (this year by default): aggregates only."""
    rows = selectors.public_figures(year or timezone.localdate().year)
    return [{**row.__dict__, "favourable_share": row.favourable_share} for row in rows]
