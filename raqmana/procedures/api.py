"""Procedures in the API: the public catalogue with each procedure's form, an applicant's dossiers from draft to
filing (as on the screens), and an office's queue with the days left against the legal delay."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import Field

from raqmana.accounts.decorators import UNPROVED_CONTACT
from raqmana.accounts.models import Enterprise
from raqmana.documents.schemas import DocumentOut, document_out
from raqmana.kernel.api_errors import REFUSALS
from raqmana.kernel.api_types import Day, Id
from raqmana.territories.constants import LOCAL_LEVELS
from raqmana.territories.models import Territory

from . import figures, rules, selectors
from .constants import LINK_RATE, LINK_RATE_GROUP, Category, DossierState
from .models import Attachment, Dossier, Procedure
from .services import attachments, filing

router = Router(tags=["procedures"])


class ProcedureOut(Schema):
    code: str
    category: Category
    title: str
    description: str
    legal_basis: str
    delay_days: int  # as Law 55-19 caps it (art. 16)
    delay_in_working_days: bool
    silence_means_approval: bool
    citizens_may_file: bool
    enterprises_may_file: bool
    form_version: int


class ProcedureDetailOut(ProcedureOut):
    form: dict[str, Any]  # requirements and fields, as procedures.formdefs reads them


def _procedure_out(procedure: Procedure, *, with_form: bool = False) -> dict[str, Any]:
    out = {
        "code": procedure.code,
        "category": procedure.category,
        "title": procedure.title,
        "description": procedure.description,
        "legal_basis": procedure.legal_basis,
        "delay_days": rules.maximum_delay_days(procedure.delay_days, investment_project=procedure.investment_project),
        "delay_in_working_days": procedure.delay_in_working_days,
        "silence_means_approval": procedure.silence_means_approval,
        "citizens_may_file": procedure.citizens_may_file,
        "enterprises_may_file": procedure.enterprises_may_file,
        "form_version": procedure.current_version.number,
    }
    if with_form:
        definition = procedure.current_version.definition
        out["form"] = {"requirements": definition.get("requirements", []), "fields": definition.get("fields", [])}
    return out


@router.get("/", response={200: list[ProcedureOut], **REFUSALS})
def procedures(request):
    """The published procedures, by category."""
    return [_procedure_out(procedure) for procedure in selectors.catalogue()]


@router.get("/catalogue/{code}", response={200: ProcedureDetailOut, **REFUSALS})
def procedure(request, code: str):
    """A published procedure with the form in force."""
    return _procedure_out(selectors.published_procedure(code), with_form=True)


class DelayOut(Schema):
    days: int | None
    paused: bool
    late: bool


class AttachmentOut(Schema):
    id: int
    path: str
    name: str
    size: int
    scan: str


class DossierOut(Schema):
    id: int
    procedure: str
    form_version: int
    state: DossierState
    reference: str
    commune_code: str
    office_code: str | None
    answers: dict[str, Any]
    attachments: list[AttachmentOut]
    filed_at: datetime | None
    decided_at: datetime | None
    delay_days: int | None
    delay_left: DelayOut | None
    decision_reasons: str
    receipt: DocumentOut | None
    decision: DocumentOut | None


def _attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "path": attachment.path,
        "name": attachment.name,
        "size": attachment.size,
        "scan": attachment.scan,
    }


def _dossier_out(dossier: Dossier) -> dict[str, Any]:
    left = selectors.decision_delay_left(dossier)
    return {
        "id": dossier.pk,
        "procedure": dossier.procedure.code,
        "form_version": dossier.version.number,
        "state": dossier.state,
        "reference": dossier.reference,
        "commune_code": dossier.commune.code,
        "office_code": dossier.unit.code if dossier.unit else None,
        "answers": dossier.answers,
        "attachments": [_attachment_out(attachment) for attachment in selectors.attachments_of(dossier)],
        "filed_at": dossier.filed_at,
        "decided_at": dossier.decided_at,
        "delay_days": dossier.delay_days,
        "delay_left": left.__dict__ if left else None,
        "decision_reasons": dossier.decision_reasons,
        "receipt": document_out(dossier.receipt) if dossier.receipt else None,
        "decision": document_out(dossier.decision) if dossier.decision else None,
    }


def _verified(request) -> None:
    if not request.user.has_verified_contact:
        raise PermissionDenied(UNPROVED_CONTACT)


class DraftIn(Schema):
    commune_code: str = Field(max_length=16)  # the HCP code of the project's commune or arrondissement
    enterprise_ice: str = Field("", max_length=15)  # to file in an enterprise's name, as its representative


@router.post("/catalogue/{code}/dossiers", response={201: DossierOut, **REFUSALS}, auth=django_auth)
def start(request, code: str, payload: DraftIn):
    """Start a draft under the procedure's form in force."""
    _verified(request)
    procedure = selectors.published_procedure(code)
    commune = get_object_or_404(Territory, code=payload.commune_code, level__in=LOCAL_LEVELS)
    enterprise = get_object_or_404(Enterprise, ice=payload.enterprise_ice) if payload.enterprise_ice else None
    dossier = filing.start_draft(request.user, procedure, commune=commune, enterprise=enterprise)
    return Status(201, _dossier_out(dossier))


@router.get("/dossiers", response={200: list[DossierOut], **REFUSALS}, auth=django_auth)
def dossiers(request):
    """The signed-in person's dossiers, the latest first."""
    found = selectors.dossiers_of(request.user).select_related("version", "receipt", "decision")
    return [_dossier_out(dossier) for dossier in found[:200]]


@router.get("/dossiers/{dossier_id}", response={200: DossierOut, **REFUSALS}, auth=django_auth)
def dossier(request, dossier_id: Id):
    return _dossier_out(selectors.own_dossier(request.user, dossier_id))


class AnswersIn(Schema):
    answers: dict[str, Any]


class AnswersOut(Schema):
    answers: dict[str, Any]
    errors: dict[str, list[str]]  # by field path ("lots.2.area"); a draft keeps what is well formed


@router.put("/dossiers/{dossier_id}/answers", response={200: AnswersOut, **REFUSALS}, auth=django_auth)
def save_answers(request, dossier_id: Id, payload: AnswersIn):
    """Save a draft's answers (or a dossier's being corrected): what is well formed is kept, the rest named."""
    checked = filing.save_answers(selectors.own_dossier(request.user, dossier_id), payload.answers, by=request.user)
    return {"answers": checked.answers, "errors": checked.errors}


class LinkIn(Schema):
    idcs: str = Field(max_length=20)
    birth_date: Day
    first_name: str = Field(max_length=100)


@router.post("/dossiers/{dossier_id}/civil-status-link", response={200: DossierOut, **REFUSALS}, auth=django_auth)
def link_civil_status(request, dossier_id: Id, payload: LinkIn):
    """Fill the form's civil status link from the register (the applicant's birth act, matched on its IDCS, the date
    of birth and the first name), instead of a copy of an identity document."""
    dossier = selectors.own_dossier(request.user, dossier_id)
    if is_ratelimited(request, group=LINK_RATE_GROUP, key="user", rate=LINK_RATE, method="POST", increment=True):
        raise HttpError(429, _("Too many tries: wait an hour, then check the facts on your family booklet."))
    filing.link_civil_status(
        dossier, by=request.user, idcs=payload.idcs, birth_date=payload.birth_date, first_name=payload.first_name
    )
    return _dossier_out(selectors.own_dossier(request.user, dossier_id))


class AttachIn(Schema):
    path: str = Field(max_length=120)  # the file field's key, or "block.N.key" in a repeatable block


@router.post("/dossiers/{dossier_id}/attachments", response={201: AttachmentOut, **REFUSALS}, auth=django_auth)
def attach(request, dossier_id: Id, payload: Form[AttachIn], file: File[UploadedFile]):
    """Give a file (PDF, JPEG or PNG) for a file field: kept pending until the virus scan finds it clean."""
    dossier = selectors.own_dossier(request.user, dossier_id)
    return Status(201, _attachment_out(attachments.attach(dossier, payload.path, file, by=request.user)))


@router.post("/dossiers/{dossier_id}/file", response={200: DossierOut, **REFUSALS}, auth=django_auth)
def file_dossier(request, dossier_id: Id):
    """File a complete draft: the answer carries its number, its delay and its receipt."""
    _verified(request)
    filed = filing.file_dossier(selectors.own_dossier(request.user, dossier_id), by=request.user)
    return _dossier_out(filed)


class QueueRowOut(Schema):
    id: int
    reference: str
    procedure: str
    state: DossierState
    commune_code: str
    office_code: str
    filed_at: datetime
    assigned_to: str | None
    delay_left: DelayOut | None


@router.get("/office/dossiers", response={200: list[QueueRowOut], **REFUSALS}, auth=django_auth)
def queue(request, mine: bool = False, page: Annotated[int, Field(ge=1, le=10_000)] = 1):
    """The dossiers awaiting a decision at the places the person reads dossiers for, the nearest to their legal
    delay first, 50 a page."""
    rows = selectors.queue(request.user, assigned_to=request.user if mine else None)[(page - 1) * 50 : page * 50]
    return [
        {
            "id": row.pk,
            "reference": row.reference,
            "procedure": row.procedure.code,
            "state": row.state,
            "commune_code": row.commune.code,
            "office_code": row.unit.code,
            "filed_at": row.filed_at,
            "assigned_to": row.assigned_to.full_name if row.assigned_to else None,
            "delay_left": _left(row),
        }
        for row in rows
    ]


def _left(row: Dossier) -> dict[str, Any] | None:
    clock = row.clock_state, row.clock_due_at, row.clock_remaining  # type: ignore[attr-defined]
    left = selectors.delay_left(row, state=clock[0], due_at=clock[1], remaining=clock[2])
    return left.__dict__ if left else None


class PlaceFiguresOut(Schema):
    code: str
    name_ar: str
    name_fr: str
    filed: int
    decided: int
    average_delay_days: float | None
    p90_delay_days: float | None
    average_legal_delay_days: float | None
    decided_within_legal_delay: float | None  # shares, from 0 to 1
    decided_by_silence: float | None
    filed_online: float | None
    opinions: dict[str, int]  # asked of each commission member
    opinions_late: dict[str, int]
    partners_on_time: float | None
    tax_per_m2: str | None  # the commune's rate for individual housing (communes only)


class IndexRowOut(Schema):
    rank: int
    score: float
    commune: PlaceFiguresOut


def _quarter(year: int | None, quarter: int | None) -> figures.Quarter:
    if year is None or quarter is None:
        return figures.Quarter.of(timezone.localdate())
    return figures.Quarter(year, quarter)


def _within(code: str) -> Territory | None:
    return get_object_or_404(Territory, code=code) if code else None


@router.get("/figures/{level}", response={200: list[PlaceFiguresOut], **REFUSALS})
def place_figures(
    request,
    level: Literal["office", "commune", "province", "region"],
    year: Annotated[int, Field(ge=2020, le=2100)] | None = None,
    quarter: Annotated[int, Field(ge=1, le=4)] | None = None,
    within: Annotated[str, Field(max_length=16)] = "",
):
    """Each place's figures for a quarter (the current one by default), under the territory `within` (an HCP code)
    if given: aggregates only, open data."""
    return [place.as_dict() for place in figures.quarter_figures(level, _quarter(year, quarter), _within(within))]


@router.get("/index", response={200: list[IndexRowOut], **REFUSALS})
def commune_index(
    request,
    year: Annotated[int, Field(ge=2020, le=2100)] | None = None,
    quarter: Annotated[int, Field(ge=1, le=4)] | None = None,
    within: Annotated[str, Field(max_length=16)] = "",
):
    """The quarterly index of the communes: ranked on decisions within the legal delay, dossiers filed online and
    the commission members' timeliness."""
    rows = figures.commune_index(_quarter(year, quarter), _within(within))
    return [{"rank": row.rank, "score": row.score, "commune": row.place.as_dict()} for row in rows]
