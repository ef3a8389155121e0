"""Reads of the register, through the requesting agent's scope; every read of an act is logged."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from raqmana.audit.services import record

from .constants import CORRECTING_MENTIONS, OFFICE_STAFF_ROLES, REGISTER_READER_ROLES, ActKind, Sex
from .idcs import is_valid_idcs
from .models import Act, PreDeclaration
from .search import search_acts
from .services import CORRECTABLE_FIELDS


def acts_visible_to(user):
    return Act.objects.visible_to(user, roles=REGISTER_READER_ROLES).select_related(
        "office__territory", "birth_place", "death_place"
    )


def offices_of(user):
    """The offices where the user works at the counter (agent or officer)."""
    return [
        assignment.office
        for assignment in user.role_assignments.active().select_related("office")
        if assignment.role in OFFICE_STAFF_ROLES and assignment.office_id
    ]


def pre_declarations_visible_to(user):
    return PreDeclaration.objects.visible_to(user, roles=REGISTER_READER_ROLES)


def birth_act_by_idcs(idcs):
    """The signed birth act holding this IDCS anywhere in the national register, or None (an IDCS that fails
    its check digit holds none)."""
    idcs = (idcs or "").replace(" ", "")
    if not is_valid_idcs(idcs):
        return None
    return Act.objects.signed().filter(kind=ActKind.BIRTH, idcs=idcs).first()


def children_of(act):
    """The signed birth acts that name this person, by their IDCS, as father or mother."""
    if not act.idcs:
        return Act.objects.none()
    parent_field = "father_idcs" if act.sex == Sex.MALE else "mother_idcs"
    return Act.objects.signed().filter(kind=ActKind.BIRTH, **{parent_field: act.idcs}).order_by("birth_date", "pk")


def read_act(user, pk, *, reason):
    """One act, for an agent who says why they open it (Law 09-08): the read is logged and the provincial
    inspector sees it in the audit trail. Raises Act.DoesNotExist outside the agent's scope."""
    act = acts_visible_to(user).get(pk=pk)
    record(actor=user, action="act.read", target=act, reason=reason, office=act.office)
    return act


def search_register(user, query, *, reason):
    """The acts within the agent's scope that match `query`, best first. A search lists people: it is logged
    like a read (Law 09-08), with its reason, its criteria and how many acts it showed."""
    if query.is_empty():
        raise ValidationError(_("Give at least a name, a date, a number or an IDCS."))
    if not reason.strip():
        raise ValidationError(_("Say why you search the register."))
    results = search_acts(acts_visible_to(user), query)
    criteria = {key: str(value) for key, value in vars(query).items() if value}
    record(actor=user, action="act.searched", target=user, reason=reason, details={**criteria, "found": len(results)})
    return results


def act_as_of(act, moment):
    """The act's data as it stood at `moment`: as signed, with the corrections recorded by then applied.

    Returns a dict of the correctable fields, and the mentions of every kind recorded by then.
    """
    if isinstance(moment, date) and not isinstance(moment, datetime):
        mentions = [mention for mention in act.mentions.all() if mention.recorded_at.date() <= moment]
    else:
        mentions = [mention for mention in act.mentions.all() if mention.recorded_at <= moment]
    data = {field: getattr(act, field) for field in CORRECTABLE_FIELDS}
    for mention in mentions:
        if mention.kind in CORRECTING_MENTIONS:
            for field, value in mention.changes.items():
                data[field] = _deserialise(act, field, value)
    return {"data": data, "mentions": mentions}


def _deserialise(act, field, value):
    internal = act._meta.get_field(field).get_internal_type()
    if internal == "DateField" and isinstance(value, str):
        return parse_date(value)
    if internal == "ForeignKey" and value is not None:
        return act._meta.get_field(field).related_model.objects.get(pk=value)
    return value


DUPLICATE_NAME_SIMILARITY = 85  # rapidfuzz score (0-100) of the normalised Arabic names


def likely_duplicates(act, limit=5):
    """Signed acts of the whole register that may record the same person: born the same day with a similar
    name (spelling variants included), or with the same name, parents and commune of birth; for a death, an
    act already recording this birth act's death. Only what identifies the act is returned, since the agent
    may have no right to read it."""
    register = Act.objects.filter(kind=act.kind)
    # About 1,600 births a day nationwide: the acts of one birth day and sex are few enough to compare in Python.
    same_day = register.signed().filter(birth_date=act.birth_date, sex=act.sex).exclude(pk=act.pk)
    similar = [
        pk
        for pk, key in same_day.values_list("pk", "name_key_ar")
        if fuzz.token_sort_ratio(act.name_key_ar, key) >= DUPLICATE_NAME_SIMILARITY
    ]
    found = register.signed().filter(pk__in=similar)
    if act.parents_key_ar.strip():
        found = found | register.signed().filter(
            name_key_ar=act.name_key_ar, parents_key_ar=act.parents_key_ar, birth_place=act.birth_place
        ).exclude(pk=act.pk)
    if act.kind == ActKind.DEATH and act.birth_act_id:
        found = found | register.signed().filter(birth_act=act.birth_act_id).exclude(pk=act.pk)
    return list(
        found.select_related("office").values("pk", "office__code", "office__name_ar", "year", "number", "birth_date")[
            :limit
        ]
    )
