"""The catalogue's writes: a procedure's form changes only by a new `ProcedureVersion`, added here whether it comes from
a definition file (`loading.py`) or the administration (`admin.py`); and the checks every way in shares.

A definition (the JSON a version keeps) is the form of `formdefs` plus two keys that `parse_definition` leaves aside
and this module checks:

    "commission": {"members": [{"member": "commune"}, {"member": "province"}, {"member": "urban_agency"},
                               {"member": "land_registry", "shown_if": {"field": "project_kind", "in": ["housing"]}}],
                   "opinion_working_days": 15}
    "fees": {"construction_tax": {"area_field": "covered_area", "use_field": "use",
                                  "uses": {"individual_housing": "individual_housing", "commercial": "collective"}}}

The commission is the one that examines large projects: the commune, the province or prefecture and the urban agency
sit on every one, the others (`COMMISSION_MEMBERS`) when their condition on the applicant's answers holds; each
member's opinion is due within `opinion_working_days` (15 when not given). The construction tax (Law 47-06) is
computed on a number field (the covered floor area, in m²), at the rate of the category (`TAXED_USES`) that `uses`
gives each answer of a choice field (the use of the building); an answer it does not list is not taxed.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from raqmana.kernel.text import TextKind, check_text

from . import rules
from .constants import PERMANENT_MEMBERS, CommissionMember, TaxedUse
from .formdefs import LANGUAGES, FieldType, FormDefinition, parse_definition
from .models import Procedure, ProcedureVersion

COMMISSION_MEMBERS = tuple(CommissionMember.values)
FEES = ("construction_tax",)
TAXED_USES = tuple(TaxedUse.values)
DEFINITION_KEYS = ("requirements", "fields", "site", "commission", "fees")
LABEL_MAX_LENGTH = 300
HELP_MAX_LENGTH = 1000


def check_delay(delay_days: Any, *, investment_project: bool) -> None:
    """Law 55-19, art. 16: a procedure declares a delay of one day at least, and none longer than the law's cap (60
    days, 30 for an investment project): a longer one is refused rather than silently shortened."""
    if not isinstance(delay_days, int) or isinstance(delay_days, bool) or delay_days < 1:
        raise ValidationError(_("The delay is a whole number of days, one at least."), code="bad_delay")
    cap = rules.maximum_delay_days(delay_days, investment_project=investment_project)
    if cap < delay_days:
        if investment_project:
            message = _(
                "A delay of %(days)d days is longer than the law allows for an investment project: %(cap)d days at "
                "most (Law 55-19, art. 16)."
            )
        else:
            message = _(
                "A delay of %(days)d days is longer than the law allows: %(cap)d days at most (Law 55-19, art. 16)."
            )
        raise ValidationError(
            message % {"days": delay_days, "cap": cap},
            code="delay_above_cap",
        )


def check_definition(data: Any, *, through_commission: bool | None = None) -> FormDefinition:
    """The definition parsed (`formdefs.parse_definition`), with its commission, its fees and its texts checked
    too; a ValidationError names every fault at once. `through_commission`, when given, is the procedure's: a
    procedure reviewed by a commission lists its members, another lists none."""
    messages: list[str] = []
    definition: FormDefinition | None = None
    try:
        definition = parse_definition(data)
    except ValidationError as error:
        messages.extend(error.messages)
    if isinstance(data, Mapping):
        messages.extend(_extra_faults(data, definition, through_commission))
        messages.extend(_text_faults(data))
    if messages:
        raise ValidationError(list(dict.fromkeys(messages)), code="bad_definition")
    assert definition is not None
    return definition


@transaction.atomic
def add_version(
    procedure: Procedure, definition: Any, *, source: str, by: Any = None, number: int | None = None
) -> ProcedureVersion:
    """A new version of the procedure's form, made its form in force. The procedure's row is locked, so that two
    editors never take one number; the number is the latest one plus one, or `number` (a definition file's own
    version) when it is higher than the latest. Nothing is saved unless the definition passes `check_definition`."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    check_definition(definition, through_commission=locked.through_commission)
    latest = locked.versions.aggregate(latest=Max("number"))["latest"] or 0
    if number is None:
        number = latest + 1
    elif number <= latest:
        raise ValidationError(
            _("Version %(number)d is not above the latest one, %(latest)d.") % {"number": number, "latest": latest},
            code="stale_version",
        )
    version = ProcedureVersion.objects.create(
        procedure=locked, number=number, definition=definition, source=source, created_by=by
    )
    Procedure.objects.filter(pk=locked.pk).update(current_version=version)
    procedure.current_version = version
    return version


def latest_version_number(procedure: Procedure) -> int:
    """The highest version number the procedure's form has had (0 for none)."""
    return procedure.versions.aggregate(latest=Max("number"))["latest"] or 0


# The keys parse_definition leaves aside


def _extra_faults(
    data: Mapping[str, Any], definition: FormDefinition | None, through_commission: bool | None
) -> list[str]:
    faults = []
    for key in data:
        if key not in DEFINITION_KEYS:
            faults.append(_("Unknown key “%(key)s” in the definition.") % {"key": key})
    fields = {item.key: item for item in definition.fields} if definition is not None else None
    commission = data.get("commission")
    if commission is not None:
        faults.extend(_commission_faults(commission, fields))
    if through_commission is True and commission is None:
        faults.append(_("commission: a procedure reviewed by a commission lists its members."))
    if through_commission is False and commission is not None:
        faults.append(_("commission: this procedure is not reviewed by a commission: list no members."))
    if "fees" in data:
        faults.extend(_fee_faults(data["fees"], fields))
    return faults


def _commission_faults(commission: Any, fields: dict[str, Any] | None) -> list[str]:
    members = commission.get("members") if isinstance(commission, Mapping) else None
    if not isinstance(members, list) or not members or not set(commission) <= {"members", "opinion_working_days"}:
        return [_("commission: a commission is {“members”: [...]}, with one member at least.")]
    faults: list[str] = []
    days = commission.get("opinion_working_days", 15)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        faults.append(_("commission.opinion_working_days: a whole number of working days, from 1 to 60."))
    seen: set[str] = set()
    for index, item in enumerate(members):
        where = f"commission.members[{index}]"
        member = item.get("member") if isinstance(item, Mapping) else None
        if member not in COMMISSION_MEMBERS or not set(item) <= {"member", "shown_if"}:
            faults.append(
                _("%(where)s: a member is {“member”: one of %(members)s}, with an optional “shown_if”.")
                % {"where": where, "members": ", ".join(COMMISSION_MEMBERS)}
            )
            continue
        if member in seen:
            faults.append(_("%(where)s: %(member)s is listed twice.") % {"where": where, "member": member})
        seen.add(member)
        if "shown_if" in item:
            if member in PERMANENT_MEMBERS:
                faults.append(_("%(where)s: %(member)s sits on every commission.") % {"where": where, "member": member})
            faults.extend(_condition_faults(item["shown_if"], fields, f"{where}.shown_if"))
    for member in PERMANENT_MEMBERS:
        if member not in seen:
            faults.append(_("commission: %(member)s sits on every commission: list it.") % {"member": member})
    return faults


def _condition_faults(condition: Any, fields: dict[str, Any] | None, where: str) -> list[str]:
    """A member's condition names a choice or yes-or-no field of the form and answers it offers."""
    if (
        not isinstance(condition, Mapping)
        or set(condition) != {"field", "in"}
        or not isinstance(condition["in"], list)
        or not condition["in"]
    ):
        return [_("%(where)s: a condition is {“field”: a field's key, “in”: [its answers]}.") % {"where": where}]
    if fields is None:
        return []
    field = fields.get(condition["field"])
    if field is None or field.type not in {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE, FieldType.YES_NO}:
        return [
            _("%(where)s: %(field)s is no choice or yes-or-no field of the form.")
            % {"where": where, "field": condition["field"]}
        ]
    offered = [True, False] if field.type == FieldType.YES_NO else [choice.value for choice in field.choices]
    unknown = [value for value in condition["in"] if not any(_same(value, one) for one in offered)]
    if unknown:
        return [
            _("%(where)s: %(field)s offers no answer %(values)s.")
            % {"where": where, "field": field.key, "values": ", ".join(map(str, unknown))}
        ]
    return []


def _same(value: Any, offered: Any) -> bool:
    return type(value) is type(offered) and value == offered


def _fee_faults(fees: Any, fields: dict[str, Any] | None) -> list[str]:
    if not isinstance(fees, Mapping) or not fees:
        return [_("fees: an object naming each fee, for instance “construction_tax”.")]
    faults: list[str] = []
    for name, settings in fees.items():
        if name not in FEES:
            faults.append(_("fees: unknown fee “%(name)s”.") % {"name": name})
            continue
        if (
            not isinstance(settings, Mapping)
            or set(settings) != {"area_field", "use_field", "uses"}
            or not isinstance(settings["uses"], Mapping)
            or not settings["uses"]
        ):
            faults.append(
                _("fees.construction_tax: it names its “area_field”, its “use_field” and the “uses” it taxes.")
            )
            continue
        wrong = [str(value) for value in settings["uses"].values() if value not in TAXED_USES]
        if wrong:
            faults.append(
                _("fees.construction_tax.uses: a use is taxed as one of %(categories)s, not %(values)s.")
                % {"categories": ", ".join(TAXED_USES), "values": ", ".join(wrong)}
            )
        if fields is None:
            continue
        area, use = fields.get(settings["area_field"]), fields.get(settings["use_field"])
        if area is None or area.type != FieldType.NUMBER:
            faults.append(
                _("fees.construction_tax: the area field %(key)s is no number field of the form.")
                % {"key": settings["area_field"]}
            )
        if use is None or use.type != FieldType.CHOICE:
            faults.append(
                _("fees.construction_tax: the use field %(key)s is no choice field of the form.")
                % {"key": settings["use_field"]}
            )
        else:
            unknown = [str(answer) for answer in settings["uses"] if answer not in {item.value for item in use.choices}]
            if unknown:
                faults.append(
                    _("fees.construction_tax.uses: %(field)s offers no answer %(values)s.")
                    % {"field": use.key, "values": ", ".join(unknown)}
                )
    return faults


# Texts: labels are shown to every applicant, so they pass the platform's one text check (no hidden characters, no
# markup), as every other text taken from a person does.


def _text_faults(data: Mapping[str, Any]) -> list[str]:
    faults: list[str] = []
    for where, text, kind, limit in _texts(data):
        try:
            check_text(text, kind, max_length=limit)
        except ValidationError as error:
            faults.extend(f"{where}: {message}" for message in error.messages)
    return faults


def _texts(data: Any, where: str = "") -> Iterator[tuple[str, str, TextKind, int]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            path = f"{where}.{key}" if where else str(key)
            if key in {"label", "unit", "help"} and isinstance(value, Mapping):
                kind = TextKind.MULTILINE_TEXT if key == "help" else TextKind.PLAIN_TEXT
                limit = HELP_MAX_LENGTH if key == "help" else LABEL_MAX_LENGTH
                for code in LANGUAGES:
                    if isinstance(value.get(code), str):
                        yield f"{path}.{code}", value[code], kind, limit
            else:
                yield from _texts(value, path)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts(value, f"{where}[{index}]")
