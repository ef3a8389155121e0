"""Reads of the register, through the requesting agent's scope; every read of an act is logged."""

from datetime import date, datetime, timedelta
from typing import Any, TypedDict, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz

from raqmana.access.checking import Person, assignments_of, units_where
from raqmana.access.scoping import visible_to
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.kernel.sequences import Sequence
from raqmana.kernel.text import TextKind, check_field_text
from raqmana.territories.models import AdministrativeUnit, Territory

from .constants import (
    ACT_REGISTER,
    CORRECTING_MENTIONS,
    ActKind,
    DeathNoticeState,
    PreDeclarationState,
    Sex,
)
from .idcs import is_valid_idcs
from .models import CORRECTABLE_FIELDS, Act, DeathNotice, Mention, PreDeclaration, PreDeclarationTransition
from .names import compact_arabic, normalise_arabic
from .rules import EARLIEST_DATE
from .search import ActQuery, SearchPage, search_acts


def acts_visible_to(user: Person) -> QuerySet[Act]:
    return visible_to(Act.objects.all(), user, "civil_status.act.read").select_related(
        "office__territory", "birth_place", "death_place"
    )


def pre_declarations_visible_to(user: Person) -> QuerySet[PreDeclaration]:
    return visible_to(PreDeclaration.objects.all(), user, "civil_status.act.read")


def pre_declarations_filed_for(user: Person) -> QuerySet[PreDeclaration]:
    """What the active establishments the user is a member of filed, newest first, each with the reason it was
    dismissed if it was. An establishment's staff follow their filings, not the register: membership is their scope,
    so a member reads no other establishment's."""
    if not user.is_authenticated:
        return PreDeclaration.objects.none()
    dismissal = PreDeclarationTransition.objects.filter(
        pre_declaration=OuterRef("pk"), to_state=PreDeclarationState.DISMISSED
    ).order_by("-at", "-pk")
    return (
        PreDeclaration.objects.filter(establishment__members=user.pk, establishment__is_active=True)
        .select_related("establishment", "office")
        .annotate(dismissal_reason=Subquery(dismissal.values("reason")[:1]))
        .order_by("-filed_at", "-pk")
    )


def death_notices_for(user: Person) -> QuerySet[DeathNotice]:
    """Deaths written beside birth acts of the user's offices that nobody there has taken note of yet."""
    return (
        visible_to(DeathNotice.objects.all(), user, "civil_status.queue.handle")
        .filter(state=DeathNoticeState.RECEIVED)
        .select_related("death_act__office", "birth_act__office")
    )


def birth_act_by_idcs(idcs: str | None) -> Act | None:
    """The signed birth act holding this IDCS anywhere in the national register, or None (an IDCS that fails
    its check digit holds none)."""
    idcs = (idcs or "").replace(" ", "")
    if not is_valid_idcs(idcs):
        return None
    return Act.objects.signed().filter(kind=ActKind.BIRTH, idcs=idcs).first()


def children_of(act: Act) -> QuerySet[Act]:
    """The signed birth acts that name this person, by their IDCS, as father or mother."""
    if not act.idcs:
        return Act.objects.none()
    parent_field = "father_idcs" if act.sex == Sex.MALE else "mother_idcs"
    return Act.objects.signed().filter(kind=ActKind.BIRTH, **{parent_field: act.idcs}).order_by("birth_date", "pk")


def workplace_of(user: Person) -> AdministrativeUnit | Territory | None:
    """Where the user works, for the audit trail: their office at the counter, else the place of their latest
    role (an inspector's province); None for a user with no role."""
    offices = units_where(user, "civil_status.act.draft")
    if offices:
        return offices[0]
    assignments = assignments_of(user)
    if not assignments:
        return None
    return assignments[0].unit or assignments[0].territory


def read_act(user: User, pk: int | str, *, reason: str | Promise) -> Act:
    """One act, for an agent who says why they open it (Law 09-08): the read is logged and the provincial
    inspector sees it in the audit trail. Raises Act.DoesNotExist outside the agent's scope, and that refusal
    is logged too, where the inspectors of the act's place and the reader's supervisors both see it."""
    reason = checked_reason(reason)
    try:
        act = acts_visible_to(user).get(pk=pk)
    except Act.DoesNotExist:
        _record_refused_read(user, pk, reason)
        raise
    record(actor=user, action="act.read", target=act, reason=reason, unit=act.office)
    return act


# The audit trail keeps a reason in 300 characters.
REASON_MAX_LENGTH = 300
CRITERIA_MAX_LENGTH = 200
YEARS_SEARCHED = (EARLIEST_DATE.year, 2100)


def checked_reason(reason: str | Promise) -> str | Promise:
    """The reason an agent gives for a read or a search, as the audit trail keeps it: typed, one line, no hidden
    character, at most 300 characters; chosen among the declared reasons (a label), kept a label, which the trail
    shows in each reader's language."""
    if isinstance(reason, Promise):
        return reason
    return check_field_text("reason", reason.strip(), TextKind.PLAIN_TEXT, max_length=REASON_MAX_LENGTH)


def check_criteria(query: ActQuery) -> None:
    """Search criteria are text like any other: refused by field when they could not be a name or an IDCS."""
    errors: dict[str, list[ValidationError] | list[str]] = {}
    for field in ("name", "parent_name", "idcs"):
        try:
            typed = check_field_text(field, getattr(query, field), TextKind.PLAIN_TEXT, max_length=CRITERIA_MAX_LENGTH)
        except ValidationError as error:
            errors.update(error.error_dict)
        else:
            setattr(query, field, typed)
    for field in ("birth_year", "year"):
        value = getattr(query, field)
        if value is not None and not YEARS_SEARCHED[0] <= value <= YEARS_SEARCHED[1]:
            first, last = YEARS_SEARCHED
            errors[field] = [_("Give a year from %(first)s to %(last)s.") % {"first": first, "last": last}]
    if errors:
        raise ValidationError(errors)


def _record_refused_read(user: User, pk: int | str, reason: str | Promise) -> None:
    # The event names the reader, not the act: the reader's supervisors may have no right to the act's names.
    asked = Act.objects.filter(pk=pk).select_related("office__territory").first() if str(pk).isdigit() else None
    workplace = workplace_of(user)
    record(
        actor=user,
        action="act.read_refused",
        target=user,
        reason=reason,
        unit=asked.office if asked else None,
        actor_place=workplace,
        national=workplace is None,
        details={"act": str(pk), "reference": asked.reference if asked else "", "exists": asked is not None},
    )


def search_register(
    user: User, query: ActQuery, *, reason: str | Promise, page: int = 1, per_page: int = 20
) -> SearchPage:
    """The acts within the agent's scope that match `query`, best first. A search lists people: it is logged
    like a read (Law 09-08), with its reason, its criteria and how many acts it showed."""
    if query.is_empty():
        raise ValidationError(_("Give at least a name, a date, a number or an IDCS."))
    if query.parent_name.strip() and not query.has_criteria_beside_parents():
        raise ValidationError(
            {
                "parent_name": _(
                    "A parent's name narrows a search: give also a name, a date or year of birth, a number or an IDCS."
                )
            }
        )
    if not str(reason).strip():
        raise ValidationError(_("Say why you search the register."))
    reason = checked_reason(reason)
    check_criteria(query)
    found = search_acts(acts_visible_to(user), query, page=page, per_page=per_page)
    criteria = {key: str(value) for key, value in vars(query).items() if value}
    workplace = workplace_of(user)
    record(
        actor=user,
        action="act.searched",
        target=user,
        reason=reason,
        actor_place=workplace,
        national=workplace is None,
        details={**criteria, "page": page, "found": found.total, "shown": len(found.acts)},
    )
    return found


def search_advice(found: SearchPage) -> str:
    """What to add when a name alone matches many acts, or one name was typed alone; "" when the search is
    narrow enough."""
    if found.single_name:
        return _(
            "Only acts whose whole name is this one are listed: add the year and the commune of birth to find "
            "everyone who bears it as a first or family name."
        )
    if not found.needs_more_facts:
        return ""
    count = _("more than %(count)s") % {"count": found.total} if found.total_is_capped else found.total
    return _("%(count)s acts match this name: add a year of birth, a commune of birth or a parent's name.") % {
        "count": count
    }


class ActAsOf(TypedDict):
    data: dict[str, Any]  # each correctable field's value
    mentions: list[Mention]


def act_as_of(act: Act, moment: date | datetime) -> ActAsOf:
    """The act's data as it stood at `moment`: as signed, with the corrections recorded by then applied.

    Returns a dict of the correctable fields, and the mentions of every kind recorded by then.
    """
    if isinstance(moment, date) and not isinstance(moment, datetime):
        # A day is Morocco's day: a mention recorded at 00:30 in Casablanca belongs to that day, not UTC's eve.
        mentions = [mention for mention in act.mentions.all() if timezone.localdate(mention.recorded_at) <= moment]
    else:
        mentions = [mention for mention in act.mentions.all() if mention.recorded_at <= moment]
    data = {field: getattr(act, field) for field in CORRECTABLE_FIELDS}
    for mention in mentions:
        if mention.kind in CORRECTING_MENTIONS:
            for field, value in mention.changes.items():
                data[field] = _deserialise(act, field, value)
    return {"data": data, "mentions": mentions}


def _deserialise(act: Act, field: str, value: Any) -> Any:
    internal = act._meta.get_field(field).get_internal_type()
    if internal == "DateField" and isinstance(value, str):
        return parse_date(value)
    if internal == "ForeignKey" and value is not None:
        return cast(type[Model], act._meta.get_field(field).related_model)._default_manager.get(pk=value)
    return value


DUPLICATE_NAME_SIMILARITY = 85  # rapidfuzz score (0-100) of the normalised Arabic names
DUPLICATE_CANDIDATES = 2000  # more than a day's births in the largest commune, and namesakes born near it
DUPLICATE_REASONS = {
    "same_day_similar_name": gettext_lazy("born the same day, with a similar name"),
    "same_name_and_parents": gettext_lazy("same name and parents, born within %(days)s days"),
    "death_already_recorded": gettext_lazy("already records this person's death"),
}


DUPLICATES_SHOWN = 5


class DuplicateRow(TypedDict):
    """A likely duplicate as the screen and the API show it."""

    pk: int
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


def likely_duplicates(act: Act, limit: int = DUPLICATES_SHOWN) -> list[DuplicateRow]:
    """Signed acts of the whole register that may record the same person, each with why: born the same day with
    a similar name (spelling variants included); or a name that sounds the same and the same parents (every
    parent both acts name agrees) with births at most `RAQMANA_DUPLICATE_BIRTH_WINDOW_DAYS` apart; for a death,
    an act already recording this birth act's death. Each candidate is listed with its names, birth date, office
    and id, the same on screen and in the API; `duplicates_shown_to` logs that they were shown."""
    return [_duplicate_row(candidate, reason) for candidate, reason in _duplicate_candidates(act, limit)]


def _duplicate_candidates(act: Act, limit: int) -> list[tuple[Act, str]]:
    """(act, reason) of each likely duplicate, the nearest births first."""
    window = timedelta(days=settings.RAQMANA_DUPLICATE_BIRTH_WINDOW_DAYS)
    signed = Act.objects.signed().filter(kind=act.kind, sex=act.sex).exclude(pk=act.pk)
    near_birth = Q(birth_date__gte=act.birth_date - window, birth_date__lte=act.birth_date + window)
    # Each condition goes through an index: the sound key's, or (commune of birth, date of birth).
    candidates = signed.filter(near_birth & Q(name_sound=act.name_sound)) if act.name_sound else signed.none()
    if act.birth_place_id:
        candidates = candidates | signed.filter(birth_place_id=act.birth_place_id, birth_date=act.birth_date)
    found = {}
    compact_name = compact_arabic(f"{act.first_name_ar} {act.family_name_ar}")
    for candidate in candidates.select_related("office")[:DUPLICATE_CANDIDATES]:
        similar = fuzz.token_sort_ratio(act.name_key_ar, candidate.name_key_ar) >= DUPLICATE_NAME_SIMILARITY or (
            compact_arabic(f"{candidate.first_name_ar} {candidate.family_name_ar}") == compact_name
        )
        if candidate.birth_date == act.birth_date and similar:
            found[candidate.pk] = (candidate, "same_day_similar_name")
        elif candidate.name_sound == act.name_sound and similar and _same_parents(act, candidate):
            found[candidate.pk] = (candidate, "same_name_and_parents")
    if act.kind == ActKind.DEATH and act.birth_act_id:
        recorded = Act.objects.signed().filter(birth_act=act.birth_act_id).exclude(pk=act.pk).select_related("office")
        for candidate in recorded:
            found[candidate.pk] = (candidate, "death_already_recorded")
    ranked = sorted(found.values(), key=lambda pair: (abs((pair[0].birth_date - act.birth_date).days), pair[0].pk))
    return ranked[:limit]


def duplicates_shown_to(user: User, act: Act) -> list[DuplicateRow]:
    """`likely_duplicates` of a draft, shown to an agent who may not read those acts otherwise: each shown
    candidate is logged as a read, at its own office, so that its inspectors see it (Law 09-08)."""
    candidates = _duplicate_candidates(act, limit=DUPLICATES_SHOWN)
    workplace = workplace_of(user)
    for candidate, _reason in candidates:
        record(
            actor=user,
            action="act.shown_as_duplicate",
            target=candidate,
            reason=_("Shown as a possible duplicate of a draft"),
            unit=candidate.office,
            actor_place=workplace,
            details={"draft": act.pk},
        )
    return [_duplicate_row(candidate, reason) for candidate, reason in candidates]


def _same_parents(act: Act, other: Act) -> bool:
    """Every parent both acts name agrees, and at least one does: the mother by her names, the father by his
    first name."""
    compared = []
    mothers = [normalise_arabic(f"{a.mother_first_name_ar} {a.mother_family_name_ar}") for a in (act, other)]
    fathers = [normalise_arabic(a.father_first_name_ar) for a in (act, other)]
    for pair in (mothers, fathers):
        if all(pair):
            compared.append(pair[0] == pair[1])
    return bool(compared) and all(compared)


def _duplicate_row(candidate: Act, reason: str) -> DuplicateRow:
    return {
        "pk": candidate.pk,
        "reference": candidate.reference,
        "office_name_ar": candidate.office.name_ar,
        "office_name_fr": candidate.office.name_fr,
        "first_name_ar": candidate.first_name_ar,
        "family_name_ar": candidate.family_name_ar,
        "first_name_latin": candidate.first_name_latin,
        "family_name_latin": candidate.family_name_latin,
        "birth_date": candidate.birth_date,
        "reason": reason,
        "reason_text": str(DUPLICATE_REASONS[reason]) % {"days": settings.RAQMANA_DUPLICATE_BIRTH_WINDOW_DAYS},
    }


def expected_reference(draft: Act) -> str:
    """The reference a draft would take if signed now: the office's next number this year. Only expected: a
    signature at the office in between takes it first."""
    year = timezone.localdate().year
    last = (
        Sequence.objects.filter(register=ACT_REGISTER, unit=draft.office, year=year)
        .values_list("last_number", flat=True)
        .first()
    )
    return f"{draft.office.code}/{year}/{(last or 0) + 1}"
