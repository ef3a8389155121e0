"""A procedure's form, defined without code: the definition (plain data, loaded from a versioned file or edited in the
admin) lists its documents and fields; this module checks a definition, and checks the answers given to it.

    {"requirements": [{"kind": "plans", "label": {"ar": ..., "fr": ..., "en": ...}, "form": "electronic"}],
     "fields": [{"key": "use", "type": "choice", "label": {...}, "choices": [{"value": "housing", "label": {...}}]},
                {"key": "area", "type": "number", "label": {...}, "min": 1, "unit": {...}},
                {"key": "plans", "type": "file", "document": "plans", "label": {...},
                 "shown_if": {"field": "use", "in": ["housing"]}},
                {"key": "lots", "type": "repeat", "label": {...}, "fields": [...], "min": 1, "max": 200}]}

Each field is required unless `"required": false`; a field whose `shown_if` does not hold is neither asked nor kept.
A field takes only the attributes of its type (`TYPE_ATTRIBUTES`), so that a misspelt one is named instead of being
ignored; the definition may hold other sections beside its requirements and fields, which other modules read.
Answers are plain data too: a file field holds the ids of its attachments, a repeatable block a list of answers, a
civil status link what the register holds of the person (filled by the service, never typed). Hand-written rather
than a schema library's: the checks are the law's (`rules.py`) and each error is a translated sentence for a person.
Whatever shape the data arrives in, a fault is a ValidationError or an error of `Checked`, never a crash (a 500).
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from raqmana.civil_status.idcs import is_valid_idcs
from raqmana.kernel.text import TextKind, check_text

from . import rules
from .constants import DocumentForm, DocumentSource

LANGUAGES = ("ar", "fr", "en")
# A key or a document's code, matched whole: "$" would let a final line break through.
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}\Z")
# Morocco's land and the Saharan provinces, with a margin: a point outside was mistyped.
LATITUDES, LONGITUDES = (20.5, 36.1), (-17.3, -0.9)
MAX_REPEATS = 500
MAX_FILES_PER_FIELD = 20
DEFAULT_MAX_FILES = 5
# Texts of a definition (read by every applicant) and of the answers, in characters.
LABEL_LENGTH, HELP_LENGTH, CHOICE_VALUE_LENGTH = 300, 2000, 100
TEXT_LENGTH, LONG_TEXT_LENGTH, STREET_LENGTH, MAX_TEXT_LENGTH = 200, 5000, 300, 20000
MAX_DECIMALS = 6
# Areas, amounts and counts: fifteen digits before the point at most, so that a number and its decimals (six at
# most) are kept exactly within Decimal's 28 digits.
LARGEST_NUMBER = Decimal("1e15")
# A number as people type it: a comma or the Arabic decimal separator (٫) for the point, spaces and the Arabic
# thousands separator (٬) between thousands, Arabic-Indic digits (٠-٩, ۰-۹). Then a decimal number, an exponent
# allowed (JSON writes 0.00001 as 1e-05), and nothing else: no "NaN", "Infinity", "1_000" nor other scripts' digits.
NUMBER_TYPING = str.maketrans(
    {
        **{chr(0x0660 + digit): str(digit) for digit in range(10)},
        **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
        ",": ".",
        "\u066b": ".",
        "\u066c": None,
        " ": None,
        "\u00a0": None,
        "\u2009": None,
        "\u202f": None,
    }
)
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # only YYYY-MM-DD: not ISO's "20240115" nor "2024-W03-1"
ATTACHMENT_ID = re.compile(r"[0-9]{1,18}")
COMMUNE_CODE = re.compile(r"[0-9A-Za-z.]{1,16}")  # the HCP's codes (territories.Territory.code)
YES, NO = frozenset({"yes", "true", "1"}), frozenset({"no", "false", "0"})


class FieldType:
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    ADDRESS = "address"
    MAP_POINT = "map_point"
    FILE = "file"
    REPEAT = "repeat"
    CIVIL_STATUS_LINK = "civil_status_link"


TYPE_LABELS = {
    FieldType.TEXT: gettext_lazy("Text"),
    FieldType.LONG_TEXT: gettext_lazy("Long text"),
    FieldType.NUMBER: gettext_lazy("Number"),
    FieldType.DATE: gettext_lazy("Date"),
    FieldType.CHOICE: gettext_lazy("Choice"),
    FieldType.MULTIPLE_CHOICE: gettext_lazy("Multiple choice"),
    FieldType.YES_NO: gettext_lazy("Yes or no"),
    FieldType.ADDRESS: gettext_lazy("Address in a commune"),
    FieldType.MAP_POINT: gettext_lazy("Point on the map"),
    FieldType.FILE: gettext_lazy("File"),
    FieldType.REPEAT: gettext_lazy("Repeatable block"),
    FieldType.CIVIL_STATUS_LINK: gettext_lazy("Civil status link"),
}

# The attributes a field of each type takes, beside those of every field.
COMMON_ATTRIBUTES = frozenset({"key", "type", "label", "help", "required", "shown_if"})
TYPE_ATTRIBUTES = {
    FieldType.TEXT: frozenset({"max_length"}),
    FieldType.LONG_TEXT: frozenset({"max_length"}),
    FieldType.NUMBER: frozenset({"min", "max", "decimals", "unit"}),
    FieldType.DATE: frozenset({"not_before", "not_after"}),
    FieldType.CHOICE: frozenset({"choices"}),
    FieldType.MULTIPLE_CHOICE: frozenset({"choices"}),
    FieldType.YES_NO: frozenset(),
    FieldType.ADDRESS: frozenset({"max_length"}),  # of the street
    FieldType.MAP_POINT: frozenset(),
    FieldType.FILE: frozenset({"document", "min", "max"}),
    FieldType.REPEAT: frozenset({"fields", "min", "max"}),
    FieldType.CIVIL_STATUS_LINK: frozenset(),
}
REQUIREMENT_ATTRIBUTES = frozenset({"kind", "label", "form", "source"})
# A condition reads a field whose answers are few and known: what it shows for is checked against them.
CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTIPLE_CHOICE})
CONDITIONING_TYPES = CHOICE_TYPES | {FieldType.YES_NO}


def in_language(texts: Mapping[str, str] | None) -> str:
    """The text for the active language, else the French, else the Arabic (a definition gives all three)."""
    if not texts:
        return ""
    language = (translation.get_language() or "ar")[:2]
    return texts.get(language) or texts.get("fr") or texts.get("ar") or ""


@dataclass(frozen=True)
class Choice:
    value: str
    label: Mapping[str, str]

    @property
    def text(self) -> str:
        return in_language(self.label)


@dataclass(frozen=True)
class Condition:
    """Shown only when the answer to `field` is one of `values`. It reads checked answers: a yes/no as True or
    False (the definition's "yes" and "no" are read as such), a multiple choice when any of its choices is one."""

    field: str
    values: tuple[Any, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        answer = answers.get(self.field)
        if isinstance(answer, list):
            return any(value in self.values for value in answer)
        return answer in self.values


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    label: Mapping[str, str]
    help: Mapping[str, str] = field(default_factory=dict)
    required: bool = True
    shown_if: Condition | None = None
    max_length: int | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int = 0
    unit: Mapping[str, str] = field(default_factory=dict)
    not_before: str = ""  # "today", or a date
    not_after: str = ""
    choices: tuple[Choice, ...] = ()
    document: str = ""  # a file field: the requirement it brings
    min_items: int = 0
    max_items: int = MAX_REPEATS
    fields: tuple["Field", ...] = ()

    @property
    def text(self) -> str:
        return in_language(self.label)

    @property
    def help_text(self) -> str:
        return in_language(self.help)

    @property
    def unit_text(self) -> str:
        return in_language(self.unit)

    def shown(self, answers: Mapping[str, Any]) -> bool:
        return self.shown_if is None or self.shown_if.holds(answers)

    def choice_text(self, value: Any) -> str:
        return next((choice.text for choice in self.choices if choice.value == value), str(value))


@dataclass(frozen=True)
class RequiredDocument:
    kind: str
    label: Mapping[str, str]
    form: DocumentForm = DocumentForm.ELECTRONIC
    source: DocumentSource = DocumentSource.APPLICANT

    @property
    def text(self) -> str:
        return in_language(self.label)

    def as_requirement(self) -> rules.Requirement:
        return rules.Requirement(self.kind, self.form, self.source)


@dataclass(frozen=True)
class FormDefinition:
    requirements: tuple[RequiredDocument, ...]
    fields: tuple[Field, ...]
    site: str = ""  # the key of the address field giving where the project lies, when the form names one

    def field(self, key: str) -> Field | None:
        return next((item for item in self.fields if item.key == key), None)

    def file_fields(self) -> list[Field]:
        return [item for item in _walk(self.fields) if item.type == FieldType.FILE]

    def civil_status_links(self) -> list[Field]:
        return [item for item in self.fields if item.type == FieldType.CIVIL_STATUS_LINK]

    def file_ids(self, answers: Mapping[str, Any]) -> set[int]:
        """The ids of the files the answers hold: in file fields, and in those of a repeatable block's entries."""
        held: set[int] = set()
        for item in self.fields:
            if item.type == FieldType.FILE:
                held.update(_ids(answers.get(item.key)))
            elif item.type == FieldType.REPEAT and isinstance(answers.get(item.key), list):
                for entry in answers[item.key]:
                    if isinstance(entry, Mapping):
                        files = (sub for sub in item.fields if sub.type == FieldType.FILE)
                        held.update(pk for sub in files for pk in _ids(entry.get(sub.key)))
        return held


def _ids(value: Any) -> list[int]:
    return [pk for pk in value if isinstance(pk, int)] if isinstance(value, list) else []


def _walk(fields: Iterable[Field]) -> Iterable[Field]:
    for item in fields:
        yield item
        yield from _walk(item.fields)


def _decimal(value: Any) -> Decimal | None:
    """A number given as JSON gives it (an integer or a decimal number), or as a person types it (`NUMBER_TYPING`);
    None for anything else, NaN and the infinities included. Exact: a float is read as it is written (0.1, not its
    binary value), and an integer of any size as itself, never through a text (Python refuses long ones)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = str(value)
    elif isinstance(value, str):
        text = value.translate(NUMBER_TYPING)
    else:
        return None
    return Decimal(text) if NUMBER.fullmatch(text) else None


def _iso_date(value: Any) -> datetime.date | None:
    """A date written YYYY-MM-DD, or None."""
    if not isinstance(value, str) or not DATE.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _whole(value: Any) -> bool:
    """A whole number, as JSON writes one (true and false are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _echo(value: Any) -> str:
    """A value of a definition quoted in a message: a text cut short, or the type of anything else (a nested value
    is never written out whole)."""
    return value[:40] if isinstance(value, str) else type(value).__name__


# Parsing and checking a definition


class DefinitionErrors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}" if where else message)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages, code="bad_definition")


def parse_definition(data: Any) -> FormDefinition:
    """The definition as `FormDefinition`, or a ValidationError naming every fault at once: the shape (types,
    keys, attributes, labels in the three languages), and the law (`check_form_rules`)."""
    errors = DefinitionErrors()
    if not isinstance(data, Mapping):
        errors.add("", _("A definition is an object with its requirements and fields."))
        errors.raise_any()
    listed = _list(data.get("requirements", []), "requirements", errors)
    requirements = [_requirement(item, f"requirements[{index}]", errors) for index, item in enumerate(listed)]
    fields = _fields(data.get("fields"), "fields", errors, nested=False)
    site = data.get("site", "")
    named = next((item for item in fields if item.key == site), None) if isinstance(site, str) else None
    if site != "" and (named is None or named.type != FieldType.ADDRESS):
        errors.add("site", _("the site names an address field of the form, outside any repeatable block."))
        site = ""
    definition = FormDefinition(tuple(item for item in requirements if item), fields, site)
    check_form_rules(definition, errors)
    errors.raise_any()
    return definition


def _list(value: Any, where: str, errors: DefinitionErrors) -> list[Any]:
    if not isinstance(value, list):
        errors.add(where, _("a list is expected."))
        return []
    return value


def _labels(
    value: Any, where: str, errors: DefinitionErrors, *, required: bool = True, multiline: bool = False
) -> dict[str, str]:
    """A text in the three languages, each checked as any text people give (`kernel.text.check_text`): no control
    nor bidi character, no markup, a bounded length. A help text may run over several lines."""
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping) or any(
        not isinstance(value.get(code), str) or not value[code].strip() for code in LANGUAGES
    ):
        errors.add(where, _("a text is needed in Arabic, French and English (ar, fr, en)."))
        return {}
    kind, limit = (TextKind.MULTILINE_TEXT, HELP_LENGTH) if multiline else (TextKind.PLAIN_TEXT, LABEL_LENGTH)
    texts = {}
    for code in LANGUAGES:
        try:
            texts[code] = _checked_text(value[code], kind, limit)
        except ValidationError as error:
            for message in error.messages:
                errors.add(f"{where}.{code}", message)
    return texts


def _requirement(data: Any, where: str, errors: DefinitionErrors) -> RequiredDocument | None:
    if not isinstance(data, Mapping) or not isinstance(data.get("kind"), str) or not KEY.match(data["kind"]):
        errors.add(where, _("a document has a code of lower-case letters, digits and underscores (“kind”)."))
        return None
    where = f"{where} ({data['kind']})"
    _unknown_attributes(data, REQUIREMENT_ATTRIBUTES, where, errors)
    try:
        form = DocumentForm(data.get("form", DocumentForm.ELECTRONIC))
        source = DocumentSource(data.get("source", DocumentSource.APPLICANT))
    except ValueError:
        errors.add(where, _("unknown form or source of the document."))
        return None
    return RequiredDocument(data["kind"], _labels(data.get("label"), f"{where}.label", errors), form, source)


def _unknown_attributes(data: Mapping[Any, Any], known: frozenset[str], where: str, errors: DefinitionErrors) -> None:
    """Name each attribute the definition does not read: a misspelt "requird" would otherwise leave a field
    required without a word."""
    for name in data:
        if name not in known:
            errors.add(where, _("unknown attribute “%(name)s”.") % {"name": _echo(name)})


def _fields(value: Any, where: str, errors: DefinitionErrors, *, nested: bool) -> tuple[Field, ...]:
    fields: dict[str, Field] = {}
    for index, data in enumerate(_list(value, where, errors)):
        item = _field(data, f"{where}[{index}]", errors, nested=nested, earlier=fields)
        if item is None:
            continue
        if item.key in fields:
            errors.add(f"{where}[{index}]", _("the key %(key)s is used twice.") % {"key": item.key})
            continue
        fields[item.key] = item
    return tuple(fields.values())


def _field(
    data: Any, where: str, errors: DefinitionErrors, *, nested: bool, earlier: Mapping[str, Field]
) -> Field | None:
    """One field, its faults added to `errors`; `earlier` holds the fields before it in its block, which alone a
    condition may read (answers are checked in order)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("key"), str) or not KEY.match(data["key"]):
        errors.add(where, _("a field has a key of lower-case letters, digits and underscores."))
        return None
    where = f"{where} ({data['key']})"
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in TYPE_LABELS:
        errors.add(where, _("unknown field type %(type)s.") % {"type": _echo(kind)})
        return None
    if nested and kind in {FieldType.REPEAT, FieldType.CIVIL_STATUS_LINK}:
        errors.add(where, _("a repeatable block holds neither another block nor a civil status link."))
        return None
    # An attribute the type does not read is named once, as unknown, and not checked further.
    attributes = TYPE_ATTRIBUTES[kind]
    _unknown_attributes(data, COMMON_ATTRIBUTES | attributes, where, errors)
    required = data.get("required", True)
    if not isinstance(required, bool):
        errors.add(where, _("“required” is true or false."))
    decimals = data.get("decimals", 0) if "decimals" in attributes else 0
    if not _whole(decimals) or not 0 <= decimals <= MAX_DECIMALS:
        errors.add(where, _("“decimals” is a whole number from 0 to 6."))
        decimals = 0
    max_length = data.get("max_length") if "max_length" in attributes else None
    if max_length is not None and (not _whole(max_length) or not 1 <= max_length <= MAX_TEXT_LENGTH):
        errors.add(where, _("“max_length” is a whole number from 1 to 20000."))
        max_length = None
    fields: tuple[Field, ...] = ()
    if kind == FieldType.REPEAT:
        fields = _fields(data.get("fields"), f"{where}.fields", errors, nested=True)
        if not fields:
            errors.add(where, _("a repeatable block has fields."))
    document = data.get("document", "")
    if kind == FieldType.FILE and (not isinstance(document, str) or not KEY.match(document)):
        errors.add(where, _("a file field names the document it brings (“document”)."))
        document = ""
    min_items, max_items = _counts(data, kind, where, errors)
    low, high = _bounds(data, where, errors) if kind == FieldType.NUMBER else (None, None)
    not_before, not_after = _dates(data, where, errors) if kind == FieldType.DATE else ("", "")
    return Field(
        key=data["key"],
        type=kind,
        label=_labels(data.get("label"), f"{where}.label", errors),
        help=_labels(data.get("help"), f"{where}.help", errors, required=False, multiline=True),
        required=required is not False,
        shown_if=_condition(data["shown_if"], where, errors, earlier) if "shown_if" in data else None,
        max_length=max_length,
        min=low,
        max=high,
        decimals=decimals,
        unit=_labels(data.get("unit"), f"{where}.unit", errors, required=False) if kind == FieldType.NUMBER else {},
        not_before=not_before,
        not_after=not_after,
        choices=_choices(data.get("choices"), where, errors) if kind in CHOICE_TYPES else (),
        document=document if kind == FieldType.FILE else "",
        min_items=min_items,
        max_items=max_items,
        fields=fields,
    )


def _condition(data: Any, where: str, errors: DefinitionErrors, earlier: Mapping[str, Field]) -> Condition | None:
    """`shown_if`: an earlier field of the same block, of a type whose answers are known (`CONDITIONING_TYPES`),
    and answers it offers. A yes/no's "yes" and "no" are kept as True and False, which its checked answers are:
    the condition then holds whether the answer came as true or as "yes"."""
    if not (
        isinstance(data, Mapping)
        and set(data) == {"field", "in"}
        and isinstance(data["field"], str)
        and data["field"] in earlier
        and isinstance(data["in"], list)
        and data["in"]
    ):
        errors.add(where, _("“shown_if” names an earlier field of the same block and the answers it shows for."))
        return None
    source = earlier[data["field"]]
    if source.type not in CONDITIONING_TYPES:
        errors.add(
            where,
            _("“shown_if” reads a choice, a multiple choice or a yes/no field; %(field)s is none.")
            % {"field": source.key},
        )
        return None
    offered: dict[str, bool | str] = (
        {"yes": True, "no": False}
        if source.type == FieldType.YES_NO
        else {choice.value: choice.value for choice in source.choices}
    )
    values: list[bool | str] = []
    offers_all = True
    for value in data["in"]:
        if isinstance(value, bool) and source.type == FieldType.YES_NO:
            answer: bool | str | None = value
        else:
            answer = offered.get(value) if isinstance(value, str) else None
        if answer is None:
            offers_all = False
            errors.add(
                where,
                _("“shown_if” shows for %(value)s, which %(field)s does not offer.")
                % {"value": _echo(value), "field": source.key},
            )
        elif answer not in values:
            values.append(answer)
    return Condition(source.key, tuple(values)) if offers_all else None


def _choices(value: Any, where: str, errors: DefinitionErrors) -> tuple[Choice, ...]:
    items = _list(value, f"{where}.choices", errors)
    choices = []
    for index, item in enumerate(items):
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("value"), str)
            or not item["value"].strip()
            or item["value"] != item["value"].strip()
            or len(item["value"]) > CHOICE_VALUE_LENGTH
        ):
            errors.add(f"{where}.choices[{index}]", _("each choice has a value and a label."))
            continue
        choices.append(Choice(item["value"], _labels(item.get("label"), f"{where}.choices[{index}]", errors)))
    if not items:
        errors.add(where, _("each choice has a value and a label."))
    if len({choice.value for choice in choices}) != len(choices):
        errors.add(where, _("two choices have the same value."))
    return tuple(choices)


def _counts(data: Mapping[str, Any], kind: str, where: str, errors: DefinitionErrors) -> tuple[int, int]:
    """A repeatable block's least and most entries, a file field's least and most files; (0, MAX_REPEATS) for
    other fields, which count nothing."""
    if kind not in {FieldType.REPEAT, FieldType.FILE}:
        return 0, MAX_REPEATS
    limit = MAX_REPEATS if kind == FieldType.REPEAT else MAX_FILES_PER_FIELD
    least, most = data.get("min", 0), data.get("max", MAX_REPEATS if kind == FieldType.REPEAT else DEFAULT_MAX_FILES)
    if not (_whole(least) and _whole(most) and 0 <= least <= most and 1 <= most <= limit):
        errors.add(
            where, _("“min” and “max” are counts, the least first, “max” from 1 to %(limit)d.") % {"limit": limit}
        )
        return 0, 1
    return least, most


def _bounds(data: Mapping[str, Any], where: str, errors: DefinitionErrors) -> tuple[Decimal | None, Decimal | None]:
    """A number field's least and greatest answers, finite and below `LARGEST_NUMBER`, the least first."""
    bounds = []
    for bound in ("min", "max"):
        value = data.get(bound)
        number = None if value is None else _decimal(value)
        if value is not None and (number is None or number.copy_abs() >= LARGEST_NUMBER):
            errors.add(f"{where}.{bound}", _("a number is expected."))
            number = None
        bounds.append(number)
    low, high = bounds
    if low is not None and high is not None and low > high:
        errors.add(where, _("“min” is more than “max”."))
    return low, high


def _dates(data: Mapping[str, Any], where: str, errors: DefinitionErrors) -> tuple[str, str]:
    """A date field's bounds: "today" (the day the answer is checked), a date (YYYY-MM-DD), or none."""
    bounds = []
    for bound in ("not_before", "not_after"):
        value = data.get(bound)
        if value in (None, ""):
            value = ""
        elif value != "today" and _iso_date(value) is None:
            errors.add(where, _("“%(bound)s” is “today” or a date (YYYY-MM-DD).") % {"bound": bound})
            value = ""
        bounds.append(value)
    first, last = _iso_date(bounds[0]), _iso_date(bounds[1])
    if first is not None and last is not None and first > last:
        errors.add(where, _("“not_before” is after “not_after”: no date could be given."))
    return bounds[0], bounds[1]


def check_form_rules(definition: FormDefinition, errors: DefinitionErrors) -> None:
    """Law 55-19 on a form: only the documents its procedure lists are asked (each by one file field, once), none
    legalised nor as a certified copy (art. 7), nothing asked twice; what the civil status register holds is pulled
    through a civil status link, never uploaded ("once only"), and one link is enough, always asked when a listed
    document comes from the register."""
    try:
        rules.check_requirements(item.as_requirement() for item in definition.requirements)
    except ValidationError as error:
        for message in error.messages:
            errors.add("requirements", message)
    listed = {item.kind: item for item in definition.requirements}
    asked: dict[str, int] = {}
    for item in definition.file_fields():
        requirement = listed.get(item.document)
        if requirement is None:
            errors.add(item.key, _("the document %(kind)s is not listed in the procedure.") % {"kind": item.document})
        elif requirement.source != DocumentSource.APPLICANT:
            errors.add(
                item.key,
                _("the document %(kind)s is held by an administration: it is pulled, not uploaded.")
                % {"kind": item.document},
            )
        asked[item.document] = asked.get(item.document, 0) + 1
    for kind, count in asked.items():
        if count > 1:
            errors.add("fields", _("The document %(kind)s is asked for twice.") % {"kind": kind})
    for requirement in definition.requirements:
        if requirement.source == DocumentSource.APPLICANT and requirement.kind not in asked:
            errors.add("requirements", _("no field asks for the document %(kind)s.") % {"kind": requirement.kind})
    links = definition.civil_status_links()
    if len(links) > 1:
        errors.add("fields", _("one civil status link is enough: the register is asked once."))
    register_held = [item for item in definition.requirements if item.source == DocumentSource.CIVIL_STATUS_REGISTER]
    if register_held and not links:
        errors.add("fields", _("a document the register holds needs a civil status link to pull it."))
    if register_held and any(not link.required or link.shown_if is not None for link in links):
        errors.add(
            "fields",
            _("a document the register holds is pulled through the civil status link: it is required, never hidden."),
        )


# Checking answers


@dataclass
class Checked:
    """Answers as kept (only the fields shown), and the errors by field path ("lots.2.area")."""

    answers: dict[str, Any]
    errors: dict[str, list[str]]

    @property
    def valid(self) -> bool:
        return not self.errors


def check_answers(
    definition: FormDefinition,
    given: Mapping[str, Any],
    *,
    complete: bool,
    attachment_ok: Callable[[str, list[int]], list[int]] | None = None,
    commune_ok: Callable[[str], bool] | None = None,
    today: datetime.date | None = None,
) -> Checked:
    """Check `given` against the form. A draft (`complete=False`) keeps what is well formed and says what is not;
    a dossier filed (`complete=True`) needs every required field shown. `attachment_ok(path, ids)` keeps the ids
    that are the dossier's attachments for that field; `commune_ok(code)` says whether a commune's code exists;
    `today` is Morocco's day unless given. Answers that are no object raise ValidationError."""
    if not isinstance(given, Mapping):
        raise ValidationError(_("The answers are an object giving each field's answer by its key."), code="malformed")
    checker = _AnswerChecker(complete, attachment_ok, commune_ok, today or timezone.localdate())
    answers = checker.block(definition.fields, given, "")
    return Checked(answers, checker.errors)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _AnswerChecker:
    def __init__(
        self,
        complete: bool,
        attachment_ok: Callable[[str, list[int]], list[int]] | None,
        commune_ok: Callable[[str], bool] | None,
        today: datetime.date,
    ) -> None:
        self.complete, self.attachment_ok, self.commune_ok, self.today = complete, attachment_ok, commune_ok, today
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def block(self, fields: Iterable[Field], given: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        """The answers of one block (the form, or an entry of a repeatable block), field by field in order, so that
        a condition reads the answers checked before it. A hidden field's answer is dropped; a field left empty,
        or whose answer is empty once checked (spaces only), is named at filing when it is required."""
        answers: dict[str, Any] = {}
        for item in fields:
            if not item.shown(answers):
                continue
            path = f"{prefix}{item.key}"
            value = given.get(item.key)
            checked = None if _empty(value) else self.value(item, value, path)
            if item.type == FieldType.REPEAT and _empty(value):
                answers[item.key] = []
            elif not _empty(checked):
                answers[item.key] = checked
            if _empty(checked) and self.complete and item.required and path not in self.errors:
                self.fail(path, self.missing(item))
        return answers

    def missing(self, item: Field) -> str:
        """What a required field left empty at filing asks for."""
        if item.type == FieldType.FILE:
            return _("Attach the document.") if item.min_items <= 1 else self.at_least_files(item.min_items)
        if item.type == FieldType.REPEAT:
            return self.at_least_entries(max(item.min_items, 1))
        if item.type == FieldType.CIVIL_STATUS_LINK:
            return _("Link your civil status record: the register gives your details.")
        return _("This field is required.")

    @staticmethod
    def at_least_files(count: int) -> str:
        return ngettext("Attach at least %(count)d file.", "Attach at least %(count)d files.", count) % {"count": count}

    @staticmethod
    def at_least_entries(count: int) -> str:
        return ngettext("Add at least %(count)d entry.", "Add at least %(count)d entries.", count) % {"count": count}

    def value(self, item: Field, value: Any, path: str) -> Any:
        check = getattr(self, f"check_{item.type}")
        try:
            return check(item, value, path)
        except ValidationError as error:
            for message in error.messages:
                self.fail(path, message)
            return None

    def check_text(self, item: Field, value: Any, path: str) -> str:
        return self._text(value, item.max_length or TEXT_LENGTH, multiline=False)

    def check_long_text(self, item: Field, value: Any, path: str) -> str:
        return self._text(value, item.max_length or LONG_TEXT_LENGTH, multiline=True)

    @staticmethod
    def _text(value: Any, limit: int, *, multiline: bool) -> str:
        if not isinstance(value, str):
            raise ValidationError(_("Enter a text."))
        return _checked_text(value, TextKind.MULTILINE_TEXT if multiline else TextKind.PLAIN_TEXT, limit)

    def check_number(self, item: Field, value: Any, path: str) -> str:
        """The number written exactly with the field's decimals ("12,5" is "12.50" with two), within its bounds."""
        number = _decimal(value)
        if number is None:
            raise ValidationError(_("Enter a number."))
        if number.copy_abs() >= LARGEST_NUMBER:
            raise ValidationError(_("This number is too large."))
        rounded = number.quantize(Decimal(1).scaleb(-item.decimals))
        if rounded != number:
            if item.decimals == 0:
                raise ValidationError(_("Enter a whole number."))
            raise ValidationError(
                ngettext(
                    "At most %(count)d digit after the decimal point.",
                    "At most %(count)d digits after the decimal point.",
                    item.decimals,
                )
                % {"count": item.decimals}
            )
        if item.min is not None and number < item.min:
            raise ValidationError(_("Enter %(limit)s or more.") % {"limit": format(item.min, "f")})
        if item.max is not None and number > item.max:
            raise ValidationError(_("Enter %(limit)s or less.") % {"limit": format(item.max, "f")})
        return str(rounded.copy_abs() if rounded.is_zero() else rounded)  # "-0" is 0

    def check_date(self, item: Field, value: Any, path: str) -> str:
        day = _iso_date(value.strip()) if isinstance(value, str) else None
        if day is None:
            raise ValidationError(_("Enter a date as day, month and year."))
        for bound, too_early in ((item.not_before, True), (item.not_after, False)):
            limit = self.today if bound == "today" else _iso_date(bound)
            if limit is None:
                continue
            if (day < limit) if too_early else (day > limit):
                message = (
                    _("The date cannot be before %(date)s.") if too_early else _("The date cannot be after %(date)s.")
                )
                raise ValidationError(message % {"date": limit.isoformat()})
        return day.isoformat()

    def check_choice(self, item: Field, value: Any, path: str) -> str:
        if not isinstance(value, str) or value not in {choice.value for choice in item.choices}:
            raise ValidationError(_("Choose one of the answers offered."))
        return value

    def check_multiple_choice(self, item: Field, value: Any, path: str) -> list[str]:
        """The choices made, each once, in the order offered; one choice may come alone rather than in a list."""
        values = value if isinstance(value, list) else [value]
        if any(not isinstance(one, str) for one in values):
            raise ValidationError(_("Choose among the answers offered."))
        chosen = set(values)
        allowed = [choice.value for choice in item.choices]
        if not chosen <= set(allowed):
            raise ValidationError(_("Choose among the answers offered."))
        return [one for one in allowed if one in chosen]

    def check_yes_no(self, item: Field, value: Any, path: str) -> bool:
        """True or False, from JSON's booleans or a form's "yes", "true", "1" and "no", "false", "0"."""
        if isinstance(value, bool):
            return value
        answer = value.strip().lower() if isinstance(value, str) else None
        if answer in YES:
            return True
        if answer in NO:
            return False
        raise ValidationError(_("Answer yes or no."))

    def check_address(self, item: Field, value: Any, path: str) -> dict[str, str] | None:
        """A commune by its code and a street. A draft keeps the well-formed part; a filing needs both parts of an
        address begun (a part refused is named once, by its refusal)."""
        if not isinstance(value, Mapping):
            raise ValidationError(_("Give the address and its commune."))
        given, street = value.get("commune"), value.get("street")
        given = given.strip() if isinstance(given, str) else given
        commune_given, street_given = not _empty(given), not _empty(street)
        commune = given if isinstance(given, str) and COMMUNE_CODE.fullmatch(given) else ""
        if commune and self.commune_ok is not None and not self.commune_ok(commune):
            commune = ""
        if commune_given and not commune:
            self.fail(path, _("Choose the commune from the list."))
        try:
            street = self._text(street, item.max_length or STREET_LENGTH, multiline=False) if street_given else ""
            street_given = bool(street)  # spaces only are no street
        except ValidationError as error:
            for message in error.messages:
                self.fail(path, message)
            street = ""
        if self.complete and (commune_given or street_given):
            if not commune_given:
                self.fail(path, _("Choose the commune from the list."))
            if not street_given:
                self.fail(path, _("Give the street and number, or the place."))
        return {"commune": commune, "street": street} if commune or street else None

    def check_map_point(self, item: Field, value: Any, path: str) -> dict[str, float]:
        latitude = _decimal(value.get("lat")) if isinstance(value, Mapping) else None
        longitude = _decimal(value.get("lon")) if isinstance(value, Mapping) else None
        if latitude is None or longitude is None:
            raise ValidationError(_("Place the point on the map, or give its latitude and longitude."))
        if not (LATITUDES[0] <= latitude <= LATITUDES[1] and LONGITUDES[0] <= longitude <= LONGITUDES[1]):
            raise ValidationError(_("This point is not in Morocco."))
        return {"lat": round(float(latitude), 6), "lon": round(float(longitude), 6)}

    def check_file(self, item: Field, value: Any, path: str) -> list[int]:
        """The ids of the field's files, each once, counted before any is looked up: a list of thousands is
        refused without a query."""
        values = value if isinstance(value, list) else [value]
        if len(values) > item.max_items:
            raise ValidationError(
                ngettext("At most %(count)d file.", "At most %(count)d files.", item.max_items)
                % {"count": item.max_items}
            )
        if any(
            not (_whole(one) or (isinstance(one, str) and ATTACHMENT_ID.fullmatch(one.strip())))
            or not 0 < int(one) < 2**63
            for one in values
        ):
            raise ValidationError(_("This file is unknown."))
        ids = list(dict.fromkeys(int(one) for one in values))
        kept = self.attachment_ok(path, ids) if self.attachment_ok is not None else ids
        if len(kept) != len(ids):
            self.fail(path, _("This file is unknown."))
        if self.complete and kept and len(kept) < item.min_items:
            self.fail(path, self.at_least_files(item.min_items))
        return kept

    def check_repeat(self, item: Field, value: Any, path: str) -> list[dict[str, Any]]:
        """The entries, each in its place (entry N stays entry N, as its errors' paths and its files' paths say it):
        an empty entry is kept empty in a draft, and named at filing, where an entry is filled in or removed."""
        if not isinstance(value, list):
            raise ValidationError(_("This block is malformed."))
        if len(value) > item.max_items:
            raise ValidationError(
                ngettext("At most %(count)d entry.", "At most %(count)d entries.", item.max_items)
                % {"count": item.max_items}
            )
        entries: list[dict[str, Any]] = []
        for index, entry in enumerate(value):
            where = f"{path}.{index}"
            if not isinstance(entry, Mapping):
                self.fail(where, _("This entry is malformed."))
                entries.append({})
            elif all(_empty(entry.get(sub.key)) for sub in item.fields):
                if self.complete:
                    self.fail(where, _("Fill in this entry or remove it."))
                entries.append({})
            else:
                entries.append(self.block(item.fields, entry, f"{where}."))
        if self.complete and entries and len(entries) < item.min_items:
            self.fail(path, self.at_least_entries(item.min_items))
        return entries

    def check_civil_status_link(self, item: Field, value: Any, path: str) -> dict[str, Any]:
        """What the register gave: an IDCS and the names. The service puts here what the register holds of the
        person (services.link_civil_status), in place of whatever was sent: nothing typed reaches a link, and
        whatever is not its shape is refused."""
        if (
            isinstance(value, Mapping)
            and isinstance(value.get("idcs"), str)
            and is_valid_idcs(value["idcs"])
            and isinstance(value.get("names"), Mapping)
            and value["names"]
            and all(isinstance(name, str) for name in value["names"].values())
        ):
            return dict(value)
        raise ValidationError(_("Link your civil status record: the register gives your details."))


def _checked_text(value: str, kind: TextKind, limit: int) -> str:
    """`value` without spaces at its ends, checked by `kernel.text.check_text`. A text far over its length is
    refused on its length alone: the character-by-character check would read a megabyte to refuse it anyway."""
    text = value.strip()
    if len(text) > limit:
        MaxLengthValidator(limit)(unicodedata.normalize("NFC", text))
    return check_text(text, kind, max_length=limit)
