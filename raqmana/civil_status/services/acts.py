"""Acts: drafting, updating, signing (the number and, for a birth, the IDCS) and abandoning a draft, with the
checks every act passes before it is saved or signed. Each write is audited."""

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.access.scoping import visible_to
from raqmana.accounts.models import User
from raqmana.audit.services import reads_outlast_refusals, record, record_read
from raqmana.calendars.hijri import HijriDate, MoroccanHijriCalendar, gregorian_of_typed_hijri
from raqmana.calendars.workdays import WorkingCalendar
from raqmana.civil_status import rules
from raqmana.civil_status.constants import ACT_REGISTER, ActKind, ActState, PreDeclarationState, Sex
from raqmana.civil_status.idcs import new_idcs
from raqmana.civil_status.models import ACT_INPUT_FIELDS, HIJRI_TYPED_DATES, Act, PreDeclaration
from raqmana.civil_status.names import SEARCH_KEY_FIELDS, search_keys
from raqmana.civil_status.selectors import act_as_of
from raqmana.civil_status.workflows import ACT_WORKFLOW
from raqmana.kernel.sequences import next_number
from raqmana.territories.models import CivilStatusOffice

from .mentions import mention_death_on_birth_act
from .pre_declarations import move_pre_declaration


def _set_keys(act: Act) -> None:
    for field, key in search_keys(vars(act)).items():
        setattr(act, field, key)


def check_parent_links(act: Act) -> None:
    """A parent's IDCS, when given, must be that of a signed birth act of a person of the parent's sex: the link
    is what the family booklet is drawn from, so a wrong one would put a child in another family."""
    errors = {}
    for field, sex, message in (
        ("father_idcs", Sex.MALE, _("No man's birth act has this IDCS: check its 12 digits.")),
        ("mother_idcs", Sex.FEMALE, _("No woman's birth act has this IDCS: check its 12 digits.")),
    ):
        value = getattr(act, field).replace(" ", "")
        setattr(act, field, value)
        if value and not Act.objects.signed().filter(kind=ActKind.BIRTH, idcs=value, sex=sex).exists():
            errors[field] = message
    if errors:
        raise ValidationError(errors)


def resolve_hijri_dates(act: Act) -> set[str]:
    """A date typed in Hijri is kept as typed and gives the Gregorian date beside it; a Gregorian date typed as
    well must be the same day. Every date the act needs is then given, in one calendar or the other.

    Returns the Gregorian fields derived from a Hijri date, whose refusals are the Hijri field's to show."""
    errors: dict[str, str | list[str]] = {}
    derived: set[str] = set()
    calendar = None
    for gregorian_field, hijri_field in HIJRI_TYPED_DATES.items():
        typed = getattr(act, hijri_field)
        if typed:
            calendar = calendar or MoroccanHijriCalendar()
            try:
                equivalent = gregorian_of_typed_hijri(typed, calendar)
            except ValidationError as error:
                errors[hijri_field] = error.messages
                continue
            given = getattr(act, gregorian_field)
            if given and given != equivalent:
                errors[gregorian_field] = _(
                    "%(hijri)s is %(equivalent)s in the Gregorian calendar, not %(given)s: give one of the two, or "
                    "both for the same day."
                ) % {
                    "hijri": HijriDate.from_iso(typed).text_latin,
                    "equivalent": equivalent.isoformat(),
                    "given": given.isoformat(),
                }
            setattr(act, gregorian_field, equivalent)
            derived.add(gregorian_field)
    required = {
        "birth_date": _("Give the date of birth, in the Gregorian or the Hijri calendar."),
        "declared_on": _("Give the date of the declaration, in the Gregorian or the Hijri calendar."),
    }
    if act.kind == ActKind.DEATH:
        required["death_date"] = _("Give the date of death, in the Gregorian or the Hijri calendar.")
    for field, message in required.items():
        if getattr(act, field) is None and field not in errors and HIJRI_TYPED_DATES[field] not in errors:
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    return derived


# What only a death act records: a birth act given any of these is refused, not silently emptied.
DEATH_ONLY_FIELDS = ["death_date", "death_date_hijri", "death_time", "death_place", "death_place_detail",
                     "died_abroad", "birth_act"]  # fmt: skip


def validate_act(act: Act, working_calendar: WorkingCalendar | None = None, *, by: User | None = None) -> None:
    """Every rule an act must satisfy before it is saved or signed; raises one ValidationError per field.
    `by`, the agent, sees the deceased's birth act compared only as far as their scope allows."""
    act.check_texts(exclude=SEARCH_KEY_FIELDS)
    if act.kind == ActKind.BIRTH:
        given = [field for field in DEATH_ONLY_FIELDS if getattr(act, field) not in (None, "", False)]
        if given:
            raise ValidationError(dict.fromkeys(given, _("Only a death act records this.")))
    derived = resolve_hijri_dates(act)
    try:
        rules.check_dates(
            kind=act.kind,
            birth_date=act.birth_date,
            death_date=act.death_date,
            declared_on=act.declared_on,
            mother_birth_date=act.mother_birth_date,
            father_birth_date=act.father_birth_date,
            late_judgment_date=act.late_judgment_date,
        )
    except ValidationError as error:
        # A date typed in Hijri is refused beside what was typed.
        raise ValidationError(
            {
                HIJRI_TYPED_DATES[field] if field in derived else field: texts
                for field, texts in error.message_dict.items()
            }
        ) from None
    if act.kind == ActKind.BIRTH:
        rules.check_birth_declarant(act.declarant_relation, act.declarant_precedence_reason)
    event = act.death_date if act.kind == ActKind.DEATH else act.birth_date
    abroad = act.died_abroad if act.kind == ActKind.DEATH else act.born_abroad
    rules.check_late_declaration(
        act.kind,
        event,
        act.declared_on,
        abroad,
        act.late_judgment_number,
        act.late_judgment_court,
        working_calendar or WorkingCalendar(),
    )
    check_parent_links(act)
    if act.kind == ActKind.DEATH and act.birth_act_id is not None:
        check_deceased_birth_act(act, act.birth_act_id, by=by)
    act.full_clean(exclude=["drafted_by", *SEARCH_KEY_FIELDS])


def check_deceased_birth_act(death_act: Act, birth_act_id: int, *, by: User | None = None) -> None:
    """The death is written beside the deceased's birth act only when both acts record the same person (the
    birth act as its mentions have corrected it), and only once.

    The comparison reads the birth act, which may be another office's: it is logged as a read, and the refusal
    quotes the birth act's values only to an agent who may read it."""
    birth_act = Act.objects.select_related("office").get(pk=birth_act_id)
    recorded = act_as_of(birth_act, timezone.now())["data"]
    if by is not None:
        record_read(
            actor=by,
            action="act.identity_checked",
            target=birth_act,
            reason=_("Death act: the deceased's birth act compared"),
            unit=birth_act.office,
            actor_place=death_act.office,
        )
    readable = visible_to(Act.objects.all(), by, "civil_status.act.read") if by is not None else Act.objects.none()
    deceased = {field: getattr(death_act, field) for field in rules.IDENTITY_FIELDS}
    if recorded["birth_date_hijri"] and not deceased["birth_date_hijri"] and deceased["birth_date"]:
        deceased["birth_date_hijri"] = MoroccanHijriCalendar().to_hijri(deceased["birth_date"]).iso
    rules.check_same_person(
        deceased,
        {field: recorded[field] for field in rules.IDENTITY_FIELDS},
        quote_birth_act=readable.filter(pk=birth_act.pk).exists(),
    )
    earlier = Act.objects.signed().filter(kind=ActKind.DEATH, birth_act=birth_act).exclude(pk=death_act.pk).first()
    if earlier is not None:
        raise ValidationError(
            {
                "birth_act": _("Death act %(reference)s already records this person's death.")
                % {"reference": earlier.reference}
            }
        )


@reads_outlast_refusals
@transaction.atomic
def draft_act(
    office: CivilStatusOffice,
    kind: str,
    data: Mapping[str, Any],
    *,
    by: User,
    pre_declaration: PreDeclaration | None = None,
) -> Act:
    """An agent or officer of the office drafts an act from what the declarant said, possibly taking up a
    pre-declaration of the office's queue."""
    require(by, "civil_status.act.draft", at=office)
    act = Act(
        office=office, kind=kind, drafted_by=by, **{field: data[field] for field in ACT_INPUT_FIELDS if field in data}
    )
    validate_act(act, by=by)
    _set_keys(act)
    if pre_declaration is not None:
        if pre_declaration.office_id != office.pk or pre_declaration.kind != kind:
            raise ValidationError(_("This pre-declaration belongs to another office or is of another kind."))
        move_pre_declaration(pre_declaration, PreDeclarationState.TAKEN_UP, by)
        act.pre_declaration = pre_declaration
    act.save()
    ACT_WORKFLOW.open(act, by=by, reason=_("Drafted"))
    record(actor=by, action="act.drafted", target=act, unit=office)
    return act


@reads_outlast_refusals
@transaction.atomic
def update_draft(act: Act, data: Mapping[str, Any], *, by: User) -> Act:
    act = Act.objects.select_for_update().get(pk=act.pk)
    if act.state != ActState.DRAFT:
        raise ValidationError(_("A signed act is never changed: record a marginal mention instead."))
    require(by, "civil_status.act.draft", at=act.office)
    for field in ACT_INPUT_FIELDS:
        if field in data:
            setattr(act, field, data[field])
    validate_act(act, by=by)
    _set_keys(act)
    act.save()
    record(actor=by, action="act.draft_updated", target=act, unit=act.office)
    return act


@reads_outlast_refusals
@transaction.atomic
def sign_act(act: Act, *, by: User) -> Act:
    """The office's civil status officer signs: the act takes its number and, for a birth, the IDCS.

    Signing an act already signed (a double click, a retry after a timeout whose first try had committed) returns
    it as signed, with its number, for whoever may sign at its office: nothing is recorded again. A draft
    abandoned, or an act someone may not sign, is still refused."""
    act = Act.objects.select_for_update().select_related("office").get(pk=act.pk)
    if act.state == ActState.SIGNED:
        require(by, "civil_status.act.sign", at=act.office)
        return act
    ACT_WORKFLOW.check(act, ActState.SIGNED, by=by)
    if act.kind == ActKind.DEATH and act.birth_act_id:
        # Two offices signing a death for the same birth act at once: the second waits here, then sees the first.
        Act.objects.select_for_update().filter(pk=act.birth_act_id).first()
    validate_act(act, by=by)
    ACT_WORKFLOW.move(act, ActState.SIGNED, by=by)
    now = timezone.now()
    act.year = timezone.localdate(now).year
    # The sequence row stays locked until the signature commits: two signatures never share a number, and a
    # rolled-back signature gives its number back (no gap).
    act.number = next_number(ACT_REGISTER, act.office, act.year)
    act.signed_by, act.signed_at = by, now
    if act.kind == ActKind.BIRTH:
        (act.idcs,) = unused_idcs(1)
    act.save()
    record(actor=by, action="act.signed", target=act, unit=act.office)
    if act.pre_declaration is not None:
        move_pre_declaration(act.pre_declaration, PreDeclarationState.REGISTERED, by)
    if act.kind == ActKind.DEATH and act.birth_act is not None:
        mention_death_on_birth_act(act, act.birth_act, by)
    return act


@transaction.atomic
def abandon_draft(act: Act, *, by: User, reason: str) -> Act:
    act = Act.objects.select_for_update().get(pk=act.pk)
    ACT_WORKFLOW.check(act, ActState.ABANDONED, by=by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the draft is abandoned.")})
    ACT_WORKFLOW.move(act, ActState.ABANDONED, by=by, reason=reason)
    if act.pre_declaration is not None:
        move_pre_declaration(act.pre_declaration, PreDeclarationState.RECEIVED, by, reason)
        act.pre_declaration = None
    act.save()
    record(actor=by, action="act.abandoned", target=act, reason=reason, unit=act.office)
    return act


def unused_idcs(count: int) -> list[str]:
    """`count` new IDCS that no act holds yet (a signature takes one, a bulk load thousands)."""
    drawn: set[str] = set()
    while len(drawn) < count:
        drawn |= {new_idcs() for _ in range(count - len(drawn))}
        drawn -= idcs_in_use(drawn)
    return list(drawn)


def idcs_in_use(candidates: set[str]) -> set[str]:
    """Which of these IDCS acts already hold; one array parameter, as in kernel.sequences.reserve_numbers."""
    param: list[str] | str
    if connection.vendor == "postgresql":
        condition, param = "idcs = ANY(%s)", list(candidates)
    else:
        condition, param = "idcs IN (SELECT value FROM json_each(%s))", json.dumps(list(candidates))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT idcs FROM {Act._meta.db_table} WHERE {condition}", [param])
        return {idcs for (idcs,) in cursor.fetchall()}
