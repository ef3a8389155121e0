"""The register's REST API: establishments file pre-declarations with their key; agents (signed in, second
factor given) search, read (with a reason, logged), draft and sign acts, as on the screens."""

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from raqmana.core.api_errors import refuse
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory

from . import selectors, services
from .constants import ActKind, PreDeclarationState, Sex
from .models import Act
from .search import ActQuery

router = Router(tags=["civil status"])


class EstablishmentKey(HttpBearer):
    def authenticate(self, request, token):
        return services.establishment_for_api_key(token)


class PreDeclarationIn(Schema):
    kind: ActKind
    sex: Sex
    event_date: date
    event_time: time | None = None
    first_name_ar: str = ""
    family_name_ar: str = ""
    father_name_ar: str = ""
    mother_name_ar: str = ""
    place_detail: str = ""


class PreDeclarationOut(Schema):
    id: int
    receipt_number: str
    kind: str
    state: str
    office_code: str
    event_date: date
    filed_at: datetime

    @staticmethod
    def resolve_office_code(pre_declaration):
        return pre_declaration.office.code


class ActSummaryOut(Schema):
    id: int
    kind: str
    state: str
    reference: str
    idcs: str | None
    first_name_ar: str
    family_name_ar: str
    first_name_latin: str
    family_name_latin: str
    birth_date: date
    office_code: str

    @staticmethod
    def resolve_office_code(act):
        return act.office.code


class MentionOut(Schema):
    kind: str
    authority_kind: str
    authority_name: str
    reference_number: str
    decided_on: date
    legal_basis: str
    text_ar: str
    changes: dict


class ActOut(ActSummaryOut):
    first_name_tfng: str
    family_name_tfng: str
    father_first_name_ar: str
    mother_first_name_ar: str
    mother_family_name_ar: str
    sex: str
    birth_time: time | None
    death_date: date | None
    declarant_name: str
    declarant_relation: str
    declared_on: date
    mentions: list[MentionOut]

    @staticmethod
    def resolve_mentions(act):
        return list(act.mentions.all())


class ActIn(Schema):
    office_code: str
    kind: ActKind
    sex: Sex
    first_name_ar: str
    family_name_ar: str
    first_name_latin: str = ""
    family_name_latin: str = ""
    first_name_tfng: str = ""
    family_name_tfng: str = ""
    father_first_name_ar: str = ""
    grandfather_first_name_ar: str = ""
    mother_first_name_ar: str = ""
    mother_family_name_ar: str = ""
    father_idcs: str = ""
    mother_idcs: str = ""
    mother_birth_date: date | None = None
    birth_date: date
    birth_time: time | None = None
    death_date: date | None = None
    declarant_name: str
    declarant_relation: str
    declarant_precedence_reason: str = ""
    declared_on: date
    late_judgment_number: str = ""
    late_judgment_court: str = ""
    pre_declaration_id: int | None = None
    deceased_idcs: str = ""


@router.post("/pre-declarations", response={201: PreDeclarationOut}, auth=EstablishmentKey())
def file_pre_declaration(request, payload: PreDeclarationIn):
    try:
        pre_declaration = services.file_pre_declaration(request.auth, payload.dict())
    except (ValidationError, PermissionDenied) as error:
        refuse(error)
    return Status(201, pre_declaration)


@router.get("/pre-declarations", response=list[PreDeclarationOut], auth=django_auth)
def queue(request):
    waiting = selectors.pre_declarations_visible_to(request.user).filter(
        state__in=[PreDeclarationState.RECEIVED, PreDeclarationState.TAKEN_UP]
    )
    return waiting.select_related("office")


@router.get("/acts", response=list[ActSummaryOut], auth=django_auth)
def search(
    request,
    reason: str,
    name: str = "",
    parent_name: str = "",
    birth_date: date | None = None,
    birth_year: int | None = None,
    birth_place: str = Query("", description="HCP code of the commune of birth"),
    number: int | None = None,
    year: int | None = None,
    idcs: str = "",
):
    """Searches are logged with their reason and criteria, like reads."""
    commune = None
    if birth_place:
        commune = Territory.objects.filter(level=Level.COMMUNE, code=birth_place).first()
        if commune is None:
            raise HttpError(422, "birth_place: " + _("No commune has this code."))
    query = ActQuery(
        name=name,
        parent_name=parent_name,
        birth_date=birth_date,
        birth_year=birth_year,
        birth_place_id=commune and commune.pk,
        number=number,
        year=year,
        idcs=idcs,
    )
    try:
        return selectors.search_register(request.user, query, reason=reason)
    except ValidationError as error:
        refuse(error)


@router.get("/acts/{act_id}", response=ActOut, auth=django_auth)
def read(request, act_id: int, reason: str):
    """Every read is logged with its reason (Law 09-08)."""
    if not reason.strip():
        raise HttpError(422, _("Say why you read this act."))
    try:
        act = selectors.read_act(request.user, act_id, reason=reason)
    except Act.DoesNotExist:
        raise HttpError(404, _("No act has this number.")) from None
    return act


@router.post("/acts", response={201: ActSummaryOut}, auth=django_auth)
def draft(request, payload: ActIn):
    office = get_object_or_404(CivilStatusOffice, code=payload.office_code)
    data = payload.dict(exclude={"office_code", "kind", "pre_declaration_id", "deceased_idcs"})
    if payload.deceased_idcs:
        data["birth_act"] = selectors.birth_act_by_idcs(payload.deceased_idcs)
        if data["birth_act"] is None:
            raise HttpError(422, "deceased_idcs: " + _("No birth act has this IDCS: check its 12 digits."))
    pre_declaration = None
    if payload.pre_declaration_id:
        pre_declaration = get_object_or_404(
            selectors.pre_declarations_visible_to(request.user), pk=payload.pre_declaration_id
        )
    try:
        act = services.draft_act(office, payload.kind, data, by=request.user, pre_declaration=pre_declaration)
    except (ValidationError, PermissionDenied) as error:
        refuse(error)
    return Status(201, act)


@router.post("/acts/{act_id}/sign", response=ActSummaryOut, auth=django_auth)
def sign(request, act_id: int):
    act = get_object_or_404(selectors.acts_visible_to(request.user), pk=act_id)
    try:
        return services.sign_act(act, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        refuse(error)
