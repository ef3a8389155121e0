"""The register's REST API: establishments file pre-declarations with their key; agents (signed in, second
factor given) search, read (with a reason, logged), draft and sign acts, as on the screens."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth
from pydantic import ConfigDict, StrictInt

from raqmana.calendars.hijri import HijriDate
from raqmana.kernel.api_errors import REFUSALS, api_field_names
from raqmana.kernel.api_types import Day, Id, LocalTime, SequenceNumber, Year
from raqmana.kernel.text import TextKind, check_field_text
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory

from . import selectors
from .constants import INPUT_NAME_OF, ActKind, DeclarantRelation, PreDeclarationState, Sex
from .models import HIJRI_TYPED_DATES, Act
from .search import MAX_PAGE, ActQuery
from .services import acts, pre_declarations

api_field_names(INPUT_NAME_OF)

router = Router(tags=["civil status"])


class EstablishmentKey(HttpBearer):
    def authenticate(self, request, token):
        return pre_declarations.establishment_for_api_key(token)


class PreDeclarationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ActKind
    sex: Sex
    event_date: Day
    event_time: LocalTime | None = None
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


class ScoredActOut(ActSummaryOut):
    score: float = Field(description="Closeness of spelling to the name asked (1: exact, or no name asked)")


class SearchPageOut(Schema):
    total: int = Field(description="How many acts matched")
    total_is_capped: bool = Field(description="More acts than `total` matched: add a fact to narrow the search")
    page: int
    per_page: int
    needs_more_facts: bool
    advice: str = Field(description="What to add to the search, when a name alone matches many acts")
    results: list[ScoredActOut]


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
    father_first_name_latin: str
    father_first_name_tfng: str
    grandfather_first_name_ar: str
    grandfather_first_name_latin: str
    grandfather_first_name_tfng: str
    mother_first_name_ar: str
    mother_first_name_latin: str
    mother_first_name_tfng: str
    mother_family_name_ar: str
    mother_family_name_latin: str
    mother_family_name_tfng: str
    father_idcs: str
    mother_idcs: str
    father_birth_date: date | None
    mother_birth_date: date | None
    sex: str
    birth_date_hijri: str
    birth_time: LocalTime | None
    birth_place: str | None = Field(description="HCP code of the commune of birth")
    birth_place_detail: str
    born_abroad: bool
    birth_country: str
    death_date: date | None
    death_date_hijri: str
    death_time: LocalTime | None
    death_place: str | None = Field(description="HCP code of the commune of death")
    death_place_detail: str
    died_abroad: bool
    deceased_idcs: str | None
    declarant_name: str
    declarant_relation: str
    declarant_document: str
    declarant_precedence_reason: str
    declared_on: date
    declared_on_hijri: str
    late_judgment_number: str
    late_judgment_court: str
    late_judgment_date: date | None
    mentions: list[MentionOut]

    @staticmethod
    def resolve_birth_place(act):
        return act.birth_place.code if act.birth_place_id else None

    @staticmethod
    def resolve_death_place(act):
        return act.death_place.code if act.death_place_id else None

    @staticmethod
    def resolve_deceased_idcs(act):
        return act.birth_act.idcs if act.birth_act_id else None

    @staticmethod
    def resolve_mentions(act):
        return list(act.mentions.all())


class DuplicateOut(Schema):
    id: int = Field(alias="pk")
    reference: str
    office_name_ar: str
    office_name_fr: str
    first_name_ar: str
    family_name_ar: str
    first_name_latin: str
    family_name_latin: str
    birth_date: date
    reason: str
    reason_text: str


class DraftOut(ActOut):
    duplicates: list[DuplicateOut] = Field(description="Signed acts that may record the same person")


class HijriDateIn(Schema):
    """A date typed in the Hijri calendar, as old registers write it."""

    model_config = ConfigDict(extra="forbid")

    # Strict: true is no month. Years outside the registers' are refused by the services, with the range.
    year: StrictInt = Field(ge=1, le=9999)
    month: StrictInt = Field(ge=1, le=12)
    day: StrictInt = Field(ge=1, le=30)


class ActIn(Schema):
    """Every field of the act forms. What the register sets itself (number, year, IDCS, state, keys, signature)
    and any unknown field are refused, never dropped."""

    model_config = ConfigDict(extra="forbid")

    office_code: str
    kind: ActKind
    pre_declaration_id: Id | None = None
    sex: Sex
    first_name_ar: str
    first_name_latin: str = ""
    first_name_tfng: str = ""
    family_name_ar: str
    family_name_latin: str = ""
    family_name_tfng: str = ""
    father_first_name_ar: str = ""
    father_first_name_latin: str = ""
    father_first_name_tfng: str = ""
    grandfather_first_name_ar: str = ""
    grandfather_first_name_latin: str = ""
    grandfather_first_name_tfng: str = ""
    mother_first_name_ar: str = ""
    mother_first_name_latin: str = ""
    mother_first_name_tfng: str = ""
    mother_family_name_ar: str = ""
    mother_family_name_latin: str = ""
    mother_family_name_tfng: str = ""
    father_idcs: str = ""
    father_birth_date: Day | None = None
    mother_idcs: str = ""
    mother_birth_date: Day | None = None
    birth_date: Day | None = Field(None, description="Required unless birth_date_hijri is given")
    birth_date_hijri: HijriDateIn | None = None
    birth_time: LocalTime | None = None
    birth_place: str = Field("", description="HCP code of the commune of birth")
    birth_place_detail: str = ""
    born_abroad: bool = False
    birth_country: str = ""
    death_date: Day | None = Field(None, description="Death acts: required unless death_date_hijri is given")
    death_date_hijri: HijriDateIn | None = None
    death_time: LocalTime | None = None
    death_place: str = Field("", description="HCP code of the commune of death")
    death_place_detail: str = ""
    died_abroad: bool = False
    deceased_idcs: str = Field("", description="IDCS of the deceased's birth act, if registered at birth")
    declarant_name: str
    declarant_relation: DeclarantRelation
    declarant_document: str = ""
    declarant_precedence_reason: str = ""
    declared_on: Day | None = Field(None, description="Required unless declared_on_hijri is given")
    declared_on_hijri: HijriDateIn | None = None
    late_judgment_number: str = ""
    late_judgment_court: str = ""
    late_judgment_date: Day | None = None


# The API's fields that are not the act form's: where the act is drafted, and from which pre-declaration.
ACT_IN_CONTEXT_FIELDS = {"office_code", "kind", "pre_declaration_id"}


def _code(value, field):
    """An office or commune code as typed, refused by name when it holds what no code holds."""
    return check_field_text(field, value.strip(), TextKind.PLAIN_TEXT, max_length=CODE_MAX_LENGTH)


CODE_MAX_LENGTH = 40


def _commune(code, field):
    """The commune an HCP code names, None for no code; ValidationError naming `field` for a code of none."""
    code = _code(code, field)
    if not code:
        return None
    commune = Territory.objects.filter(level=Level.COMMUNE, code=code).first()
    if commune is None:
        raise ValidationError({field: _("No commune has this code.")})
    return commune


def _act_data(payload):
    """The payload as the services take it: communes and the deceased's birth act found from their codes, Hijri
    dates as typed. Raises ValidationError naming the API's field."""
    data = payload.dict(exclude=ACT_IN_CONTEXT_FIELDS | {"deceased_idcs", "birth_place", "death_place"})
    errors = {}
    for field in HIJRI_TYPED_DATES.values():
        typed = getattr(payload, field)
        data[field] = HijriDate(typed.year, typed.month, typed.day).iso if typed else ""
    for field in ("birth_place", "death_place"):
        try:
            data[field] = _commune(getattr(payload, field), field)
        except ValidationError as error:
            errors.update(error.message_dict)
    if payload.deceased_idcs.strip():
        data["birth_act"] = selectors.birth_act_by_idcs(payload.deceased_idcs)
        if data["birth_act"] is None:
            errors["deceased_idcs"] = _("No birth act has this IDCS: check its 12 digits.")
    if errors:
        raise ValidationError(errors)
    return data


@router.post("/pre-declarations", response={201: PreDeclarationOut, **REFUSALS}, auth=EstablishmentKey())
def file_pre_declaration(request, payload: PreDeclarationIn):
    pre_declaration = pre_declarations.file_pre_declaration(request.auth, payload.dict())
    return Status(201, pre_declaration)


@router.get("/pre-declarations", response={200: list[PreDeclarationOut], **REFUSALS}, auth=django_auth)
def queue(request):
    waiting = selectors.pre_declarations_visible_to(request.user).filter(
        state__in=[PreDeclarationState.RECEIVED, PreDeclarationState.TAKEN_UP]
    )
    return waiting.select_related("office")


@router.get("/acts", response={200: SearchPageOut, **REFUSALS}, auth=django_auth)
def search(
    request,
    reason: str,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=100),
    name: str = "",
    parent_name: str = "",
    birth_date: Day | None = None,
    birth_year: Year | None = None,
    birth_place: str = Query("", description="HCP code of the commune of birth"),
    number: SequenceNumber | None = None,
    year: Year | None = None,
    idcs: str = "",
):
    """Searches are logged with their reason and criteria, like reads. A name alone may match thousands of acts:
    the answer says how many, pages them by closeness of spelling, and advises what fact to add."""
    commune = _commune(birth_place, "birth_place")
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
    found = selectors.search_register(request.user, query, reason=reason, page=page, per_page=per_page)
    return {**vars(found), "results": found.acts, "advice": selectors.search_advice(found)}


@router.get("/acts/{act_id}", response={200: ActOut, **REFUSALS}, auth=django_auth)
def read(request, act_id: Id, reason: str):
    """Every read is logged with its reason (Law 09-08)."""
    if not reason.strip():
        raise HttpError(422, _("Say why you read this act."))
    try:
        return selectors.read_act(request.user, act_id, reason=reason)
    except Act.DoesNotExist:
        raise HttpError(404, _("No act has this number.")) from None


@router.post("/acts", response={201: DraftOut, **REFUSALS}, auth=django_auth)
def draft(request, payload: ActIn):
    """Draft an act as the screen does; the answer lists the signed acts that may record the same person."""
    office = CivilStatusOffice.objects.filter(code=_code(payload.office_code, "office_code")).first()
    if office is None:
        raise HttpError(422, "office_code: " + _("No office has this code."))
    pre_declaration = None
    if payload.pre_declaration_id:
        pre_declaration = (
            selectors.pre_declarations_visible_to(request.user).filter(pk=payload.pre_declaration_id).first()
        )
        if pre_declaration is None:
            raise HttpError(422, "pre_declaration_id: " + _("No pre-declaration of your offices has this number."))
    act = acts.draft_act(office, payload.kind, _act_data(payload), by=request.user, pre_declaration=pre_declaration)
    act.duplicates = selectors.duplicates_shown_to(request.user, act)
    return Status(201, act)


@router.post("/acts/{act_id}/sign", response={200: ActSummaryOut, **REFUSALS}, auth=django_auth)
def sign(request, act_id: Id):
    """A repeated signature (a retry after a timeout) answers the signed act with its number, as the first did."""
    act = get_object_or_404(selectors.acts_visible_to(request.user), pk=act_id)
    return acts.sign_act(act, by=request.user)
