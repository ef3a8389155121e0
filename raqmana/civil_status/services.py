"""Writes to the register: drafting, signing and abandoning acts, and marginal mentions. Each is audited."""

import json
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.access.scoping import visible_to
from raqmana.audit.services import reads_outlast_refusals, record, record_read
from raqmana.calendars.hijri import HijriDate, MoroccanHijriCalendar, gregorian_of_typed_hijri
from raqmana.calendars.workdays import WorkingCalendar
from raqmana.kernel.sequences import next_number, reserve_numbers
from raqmana.territories.models import CivilStatusOffice

from . import rules
from .constants import (
    ACT_REGISTER,
    CORRECTING_MENTIONS,
    MENTION_AUTHORITIES,
    ActKind,
    ActState,
    AuthorityKind,
    DeathNoticeState,
    MentionKind,
    PreDeclarationState,
    Sex,
)
from .idcs import new_idcs
from .models import (
    ACT_INPUT_FIELDS,
    CORRECTABLE_FIELDS,
    HIJRI_TYPED_DATES,
    NAME_FIELDS,
    Act,
    DeathNotice,
    Establishment,
    Mention,
    PreDeclaration,
)
from .names import normalise_arabic, normalise_latin, sound_key
from .selectors import act_as_of
from .workflows import ACT_WORKFLOW, DEATH_NOTICE_WORKFLOW, PRE_DECLARATION_WORKFLOW

LOADED_FIELDS = [field for field in Act._meta.concrete_fields if not field.primary_key]


def search_keys(names):
    """The normalised keys an act is searched by, from its name fields (a dict of field → value)."""
    return {
        "name_key_ar": normalise_arabic(f"{names['first_name_ar']} {names['family_name_ar']}"),
        "name_key_latin": normalise_latin(f"{names['first_name_latin']} {names['family_name_latin']}"),
        "parents_key_ar": normalise_arabic(
            f"{names['father_first_name_ar']} {names['mother_first_name_ar']} {names['mother_family_name_ar']}"
        ),
        # From the Arabic names every act has (old ones have no Latin names); Latin queries meet it by sound.
        "name_sound": sound_key(f"{names['first_name_ar']} {names['family_name_ar']}")
        or sound_key(f"{names['first_name_latin']} {names['family_name_latin']}"),
    }


SEARCH_KEY_FIELDS = ["name_key_ar", "name_key_latin", "parents_key_ar", "name_sound"]


def _set_keys(act):
    for field, key in search_keys(vars(act)).items():
        setattr(act, field, key)


def check_parent_links(act):
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


def resolve_hijri_dates(act):
    """A date typed in Hijri is kept as typed and gives the Gregorian date beside it; a Gregorian date typed as
    well must be the same day. Every date the act needs is then given, in one calendar or the other.

    Returns the Gregorian fields derived from a Hijri date, whose refusals are the Hijri field's to show."""
    errors, derived = {}, set()
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


def validate_act(act, working_calendar=None, *, by=None):
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
    if act.kind == ActKind.DEATH and act.birth_act_id:
        check_deceased_birth_act(act, by=by)
    act.full_clean(exclude=["drafted_by", *SEARCH_KEY_FIELDS])


def check_deceased_birth_act(death_act, *, by=None):
    """The death is written beside the deceased's birth act only when both acts record the same person (the
    birth act as its mentions have corrected it), and only once.

    The comparison reads the birth act, which may be another office's: it is logged as a read, and the refusal
    quotes the birth act's values only to an agent who may read it."""
    birth_act = Act.objects.select_related("office").get(pk=death_act.birth_act_id)
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
def draft_act(office, kind, data, *, by, pre_declaration=None):
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
        _move_pre_declaration(pre_declaration, PreDeclarationState.TAKEN_UP, by)
        act.pre_declaration = pre_declaration
    act.save()
    ACT_WORKFLOW.open(act, by=by, reason=_("Drafted"))
    record(actor=by, action="act.drafted", target=act, unit=office)
    return act


@reads_outlast_refusals
@transaction.atomic
def update_draft(act, data, *, by):
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
def sign_act(act, *, by):
    """The office's civil status officer signs: the act takes its number and, for a birth, the IDCS."""
    act = Act.objects.select_for_update().select_related("office").get(pk=act.pk)
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
        (act.idcs,) = _unused_idcs(1)
    act.save()
    record(actor=by, action="act.signed", target=act, unit=act.office)
    if act.pre_declaration_id:
        _move_pre_declaration(act.pre_declaration, PreDeclarationState.REGISTERED, by)
    if act.kind == ActKind.DEATH and act.birth_act_id:
        _mention_death_on_birth_act(act, by)
    return act


def _mention_death_on_birth_act(death_act, by):
    """Law 36-21: the officer of the place of death notifies the office keeping the birth act; the death is
    written beside the birth act, naming both acts, and the notice waits in that office's queue."""
    birth_act = death_act.birth_act
    Mention.objects.create(
        act=birth_act,
        kind=MentionKind.DEATH,
        authority_kind=AuthorityKind.CIVIL_STATUS_OFFICE,
        authority_name=death_act.office.name_ar,
        reference_number=death_act.reference,
        decided_on=death_act.declared_on,
        legal_basis="القانون 36.21 المتعلق بالحالة المدنية",
        text_ar=(
            f"توفي(ت) صاحب(ة) رسم الولادة عدد {birth_act.reference} بتاريخ {death_act.death_date:%Y-%m-%d}"
            f" حسب رسم الوفاة عدد {death_act.reference} المحرر بمكتب {death_act.office.name_ar}"
        ),
        related_act=death_act,
        recorded_by=by,
    )
    record(
        actor=by,
        action="act.mention_recorded",
        target=birth_act,
        unit=birth_act.office,
        actor_place=death_act.office,
        details={"death_act": death_act.reference},
    )
    notice = DeathNotice.objects.create(death_act=death_act, birth_act=birth_act, office=birth_act.office)
    DEATH_NOTICE_WORKFLOW.open(notice, by=by)
    record(actor=by, action="death_notice.sent", target=notice, unit=birth_act.office, actor_place=death_act.office)


@transaction.atomic
def take_note_of_death_notice(notice, *, by):
    """An agent or the officer of the office keeping the birth act takes note of a death written beside it."""
    notice = DeathNotice.objects.select_for_update().select_related("office").get(pk=notice.pk)
    DEATH_NOTICE_WORKFLOW.move(notice, DeathNoticeState.NOTED, by=by)
    notice.save(update_fields=["state"])
    record(actor=by, action="death_notice.noted", target=notice, unit=notice.office)
    return notice


@transaction.atomic
def abandon_draft(act, *, by, reason):
    act = Act.objects.select_for_update().get(pk=act.pk)
    ACT_WORKFLOW.check(act, ActState.ABANDONED, by=by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the draft is abandoned.")})
    ACT_WORKFLOW.move(act, ActState.ABANDONED, by=by, reason=reason)
    if act.pre_declaration_id:
        _move_pre_declaration(act.pre_declaration, PreDeclarationState.RECEIVED, by, reason)
        act.pre_declaration = None
    act.save()
    record(actor=by, action="act.abandoned", target=act, reason=reason, unit=act.office)
    return act


@transaction.atomic
def record_mention(act, *, kind, authority_kind, authority_name, reference_number, decided_on, legal_basis, text_ar,
                   by, changes=None, related_act=None):  # fmt: skip
    """The office's officer writes a marginal mention beside a signed act, with its legal basis and reference.

    Corrections carry the corrected values; the Latin transcription mention may only change Latin spellings.
    """
    require(by, "civil_status.act.mention", at=act.office)
    if act.state != ActState.SIGNED:
        raise ValidationError(_("Mentions are written beside signed acts only."))
    deciders = MENTION_AUTHORITIES[MentionKind(kind)]
    if authority_kind not in deciders:
        labels = ", ".join(str(AuthorityKind(authority).label) for authority in deciders)
        raise ValidationError(
            {"authority_kind": _("This kind of mention is decided by: %(authorities)s.") % {"authorities": labels}}
        )
    changes = dict(changes or {})
    if changes and kind not in CORRECTING_MENTIONS:
        raise ValidationError({"changes": _("Only a correction or a court decision changes the act's data.")})
    unknown = set(changes) - CORRECTABLE_FIELDS
    if kind == MentionKind.LATIN_TRANSCRIPTION:
        unknown |= {field for field in changes if not field.endswith("_latin")}
    if unknown:
        raise ValidationError(
            {
                "changes": _("These data cannot be changed by this mention: %(fields)s.")
                % {"fields": ", ".join(sorted(unknown))}
            }
        )
    for field, value in changes.items():
        if isinstance(value, str) and Act.text_kind_of(Act._meta.get_field(field)) is not None:
            changes[field] = Act.checked_text(field, value, error_key="changes")
    _keep_hijri_dates_consistent(act, changes)
    required = {
        "authority_name": authority_name,
        "reference_number": reference_number,
        "legal_basis": legal_basis,
        "text_ar": text_ar,
    }
    missing = {field: _("This field is required.") for field, value in required.items() if not str(value).strip()}
    if missing:
        raise ValidationError(missing)
    mention = Mention(
        act=act,
        kind=kind,
        authority_kind=authority_kind,
        authority_name=authority_name,
        reference_number=reference_number,
        decided_on=decided_on,
        legal_basis=legal_basis,
        text_ar=text_ar,
        changes={field: _serialise(value) for field, value in changes.items()},
        related_act=related_act,
        recorded_by=by,
    )
    mention.full_clean()
    mention.save()
    if set(changes) & set(NAME_FIELDS):
        # The keys are derived from the names, not part of the act: the register is searched by its names as
        # corrected, while the act itself stays as signed.
        Act.objects.filter(pk=act.pk).update(**search_keys(act_as_of(act, timezone.now())["data"]))
    record(actor=by, action="act.mention_recorded", target=act, unit=act.office, details={"mention": mention.pk})
    return mention


def _keep_hijri_dates_consistent(act, changes):
    """A corrected Hijri date gives its Gregorian; a corrected Gregorian date drops the Hijri typed before, which
    no longer says the same day (the Hijri is then converted from the corrected date)."""
    current = act_as_of(act, timezone.now())["data"]
    for gregorian_field, hijri_field in HIJRI_TYPED_DATES.items():
        if changes.get(hijri_field):
            try:
                changes[gregorian_field] = gregorian_of_typed_hijri(str(changes[hijri_field]))
            except ValidationError as error:
                raise ValidationError({"changes": error.messages}) from None
        elif gregorian_field in changes and current[hijri_field]:
            changes[hijri_field] = ""


def _serialise(value):
    if isinstance(value, models.Model):
        return value.pk
    return value.isoformat() if hasattr(value, "isoformat") else value


IDCS_DRAWS = 3


@transaction.atomic
def load_historical_acts(rows, *, by, reason):
    """Load digitised paper acts (signed long ago) in bulk: each gets the next numbers of its office and year,
    a birth its IDCS, and the search keys. One audit event for the batch. Returns how many were loaded.

    Rows are dicts of Act field values; they stay dicts up to the database (no model instance each), which
    is what lets PostgreSQL's COPY take tens of thousands of acts a second.
    """
    now = timezone.now()
    defaults = {field.attname: field.get_default() for field in LOADED_FIELDS}
    acts = []
    for position, row in enumerate(rows, start=1):
        act = {**defaults, **row, "drafted_at": now}
        try:
            act.update(Act.checked_values(act))
            _check_loaded_row(act)
        except ValidationError as error:
            # The row's position names it: a digitised register has no other handle on it yet.
            refusals = {f"{position}.{field}": texts for field, texts in error.message_dict.items()}
            raise ValidationError(refusals) from None
        rules.check_dates(
            kind=act["kind"],
            birth_date=act["birth_date"],
            death_date=act["death_date"],
            declared_on=act["declared_on"],
            mother_birth_date=act["mother_birth_date"],
            father_birth_date=act["father_birth_date"],
        )
        act.update(search_keys(act))
        acts.append(act)
    by_sequence = {}
    for act in acts:
        by_sequence.setdefault((act["office_id"], act["year"]), []).append(act)
    counts = {key: len(group) for key, group in by_sequence.items()}
    for key, last_number in reserve_numbers(ACT_REGISTER, counts).items():
        first = last_number - len(by_sequence[key])
        for offset, act in enumerate(by_sequence[key], start=1):
            act["number"] = first + offset
    births = [act for act in acts if act["kind"] == ActKind.BIRTH]
    for draw in range(1, IDCS_DRAWS + 1):
        for act, idcs in zip(births, _unused_idcs(len(births)), strict=True):
            act["idcs"] = idcs
        try:
            with transaction.atomic():
                _insert_rows(acts)
            break
        except IntegrityError as error:
            # Another load or signature may take one of the drawn IDCS between the check and the insert.
            if draw == IDCS_DRAWS or "idcs" not in str(error):
                raise
    # Placed at the office whose register was loaded; a batch of several offices' registers, in the whole country.
    offices = {office for office, _year in by_sequence}
    unit = CivilStatusOffice.objects.get(pk=offices.pop()) if len(offices) == 1 else None
    record(
        actor=by,
        action="act.batch_loaded",
        target=by,
        reason=reason,
        details={"acts": len(acts)},
        unit=unit,
        national=unit is None,
    )
    return len(acts)


LOADED_REQUIRED = ["first_name_ar", "family_name_ar", "declarant_name"]


def _check_loaded_row(act):
    """What a digitised act must carry, as the forms require it; and no link from a death to a birth act, which
    is checked and noted only when an officer signs a death act (check_deceased_birth_act)."""
    errors = {field: [_("This field is required.")] for field in LOADED_REQUIRED if not act[field]}
    if act["birth_act_id"] is not None:
        errors["birth_act_id"] = [_("A digitised death act is linked to the birth act by a marginal mention.")]
    if errors:
        raise ValidationError(errors)


def _insert_rows(acts):
    if connection.vendor == "postgresql":
        _copy_into_table(acts)
    else:
        Act.objects.bulk_create([Act(**act) for act in acts], batch_size=2000)


def _copy_into_table(acts):
    """PostgreSQL's COPY: several times faster than INSERT for the thousands of rows of a digitised register."""
    columns = ", ".join(connection.ops.quote_name(field.column) for field in LOADED_FIELDS)
    attnames = [field.attname for field in LOADED_FIELDS]
    # psycopg's own copy() bypasses Django's cursor: its errors are turned into Django's (IntegrityError...) here.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Act._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for act in acts:
            # Every column holds a str, int, bool, date, time, aware datetime or None, which psycopg adapts itself.
            copy.write_row([act[attname] for attname in attnames])


def _unused_idcs(count):
    """`count` new IDCS that no act holds yet (a signature takes one, a bulk load thousands)."""
    drawn = set()
    while len(drawn) < count:
        drawn |= {new_idcs() for _ in range(count - len(drawn))}
        drawn -= _idcs_in_use(drawn)
    return list(drawn)


def _idcs_in_use(candidates):
    """Which of these IDCS acts already hold; one array parameter, as in kernel.sequences.reserve_numbers."""
    if connection.vendor == "postgresql":
        condition, param = "idcs = ANY(%s)", list(candidates)
    else:
        condition, param = "idcs IN (SELECT value FROM json_each(%s))", json.dumps(list(candidates))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT idcs FROM {Act._meta.db_table} WHERE {condition}", [param])
        return {idcs for (idcs,) in cursor.fetchall()}


API_KEY_PREFIX_LENGTH = 8


@transaction.atomic
def issue_api_key(establishment, *, by):
    """A new API key for an establishment's software; shown once, only its hash is kept. The old key stops."""
    prefix, secret = secrets.token_hex(API_KEY_PREFIX_LENGTH // 2), secrets.token_urlsafe(32)
    establishment.api_key_prefix = prefix
    establishment.api_key_hash = make_password(secret)
    establishment.save(update_fields=["api_key_prefix", "api_key_hash"])
    record(actor=by, action="establishment.api_key_issued", target=establishment, territory=establishment.commune)
    return f"rqm_{prefix}_{secret}"


def establishment_for_api_key(key):
    """The active establishment whose key this is, or None."""
    try:
        _tag, prefix, secret = (key or "").split("_", 2)
    except ValueError:
        return None
    establishment = Establishment.objects.filter(api_key_prefix=prefix, is_active=True).first()
    if establishment and check_password(secret, establishment.api_key_hash):
        return establishment
    return None


def _move_pre_declaration(
    pre_declaration: PreDeclaration, to_state: str, by: models.Model | None, reason: str = ""
) -> None:
    PRE_DECLARATION_WORKFLOW.move(pre_declaration, to_state, by=by, reason=reason)
    pre_declaration.save(update_fields=["state"])


@transaction.atomic
def file_pre_declaration(establishment, data, *, by=None):
    """An establishment announces a birth or death; it goes to the queue of the office of its commune."""
    if not establishment.is_active:
        raise PermissionDenied(_("This establishment may not file pre-declarations."))
    if by is not None and not establishment.members.filter(pk=by.pk).exists():
        raise PermissionDenied(_("Only the establishment's members file its pre-declarations."))
    office = CivilStatusOffice.objects.filter(territory=establishment.commune, is_active=True).order_by("pk").first()
    if office is None:
        raise ValidationError(_("The establishment's commune has no open civil status office."))
    fields = ["kind", "sex", "first_name_ar", "family_name_ar", "father_name_ar", "mother_name_ar", "event_date",
              "event_time", "place_detail"]  # fmt: skip
    pre_declaration = PreDeclaration(
        establishment=establishment,
        office=office,
        filed_by=by,
        **{field: data[field] for field in fields if field in data},
    )
    if pre_declaration.event_date and pre_declaration.event_date > timezone.localdate():
        raise ValidationError({"event_date": _("The date is in the future.")})
    if pre_declaration.event_date and pre_declaration.event_date < rules.EARLIEST_DATE:
        raise ValidationError(
            {"event_date": _("This date is before %(year)s: check the year.") % {"year": rules.EARLIEST_DATE.year}}
        )
    pre_declaration.full_clean()
    pre_declaration.save()
    PRE_DECLARATION_WORKFLOW.open(pre_declaration, by=by)
    record(actor=by, action="pre_declaration.filed", target=pre_declaration, unit=office)
    return pre_declaration


@transaction.atomic
def dismiss_pre_declaration(pre_declaration, *, by, reason):
    PRE_DECLARATION_WORKFLOW.check(pre_declaration, PreDeclarationState.DISMISSED, by=by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the pre-declaration is dismissed.")})
    _move_pre_declaration(pre_declaration, PreDeclarationState.DISMISSED, by, reason)
    record(
        actor=by,
        action="pre_declaration.dismissed",
        target=pre_declaration,
        reason=reason,
        unit=pre_declaration.office,
    )
    return pre_declaration


def draft_data_from(pre_declaration):
    """What a pre-declaration already says, to start the act's form with (the declarant completes the rest)."""
    event = "death_date" if pre_declaration.kind == ActKind.DEATH else "birth_date"
    return {
        "sex": pre_declaration.sex,
        "first_name_ar": pre_declaration.first_name_ar,
        "family_name_ar": pre_declaration.family_name_ar,
        "father_first_name_ar": pre_declaration.father_name_ar,
        "mother_first_name_ar": pre_declaration.mother_name_ar,
        event: pre_declaration.event_date,
        "birth_time" if event == "birth_date" else "death_time": pre_declaration.event_time,
        "birth_place_detail" if event == "birth_date" else "death_place_detail": pre_declaration.place_detail,
        "birth_place" if event == "birth_date" else "death_place": pre_declaration.establishment.commune,
    }
