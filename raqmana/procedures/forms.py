"""The procedures' pages' forms, and the form of a procedure (`formdefs`) as a page shows it and reads it back.

A dossier's form posts flat names, dotted like the paths of its answers ("site.commune", "lots.0.area"):
`answers_from_post` turns them into the nested answers `formdefs.check_answers` expects, `data_from_answers` turns
saved answers back into what the inputs show, and `shown_fields` lays the form out for a template: the fields whose
condition holds, each with what was typed (kept even when invalid), its errors, its files and its entries."""

import datetime
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from raqmana.kernel.text import CheckedTextForm
from raqmana.kernel.upload_fields import MultipleFileField
from raqmana.territories.fields import CommuneField

from .constants import PENDING_STATES, CorrectionReason, Verdict
from .formdefs import MAX_REPEATS, Field, FieldType, FormDefinition, check_answers

# Where the picker's suggestion ends with the commune's HCP code: "Témara — تمارة · 04.501.01.07".
CODE_SEPARATOR = "·"
# "lots.entries": how many entries of a block the page showed (an entry may post nothing: its boxes left unticked).
ENTRIES = "entries"
# Inputs whose one value is a string as typed.
SINGLE_VALUE = {
    FieldType.TEXT,
    FieldType.LONG_TEXT,
    FieldType.NUMBER,
    FieldType.DATE,
    FieldType.CHOICE,
    FieldType.YES_NO,
}
# A choice among this many answers or fewer is a row of radio buttons, else a list to pick from.
MAX_RADIOS = 5
LINK_PARTS = ("idcs", "birth_date", "first_name")


# The posted data read as answers, and back


def commune_code(typed: Any) -> str:
    """The HCP code a commune picker's value ends with, else what was typed (which then names no commune)."""
    text = str(typed or "").strip()
    return text.rsplit(CODE_SEPARATOR, 1)[-1].strip() if CODE_SEPARATOR in text else text


def _get(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):  # a plain dict of lists
        value = value[-1] if value else ""
    return value if isinstance(value, str) else str(value)


def _getlist(data: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(value) for value in data.getlist(name)]
    value = data.get(name)
    if value is None:
        return []
    return [str(one) for one in value] if isinstance(value, list) else [str(value)]


def entry_count(item: Field, data: Mapping[str, Any], path: str) -> int:
    """How many entries of the repeatable block at `path` the data holds: as many as the page said it showed
    ("lots.entries"), and at least up to the highest entry posted ("lots.3.area"); never more than the engine takes."""
    declared = _get(data, f"{path}.{ENTRIES}").strip()
    count = int(declared) if declared.isascii() and declared.isdigit() and len(declared) <= 3 else 0
    pattern = re.compile(rf"^{re.escape(path)}\.(\d{{1,3}})\.")
    for name in data:
        if isinstance(name, str) and (found := pattern.match(name)):
            count = max(count, int(found.group(1)) + 1)
    return min(count, MAX_REPEATS)


def answers_from_post(definition: FormDefinition, data: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a posted form gives (a QueryDict, or a plain dict), as `formdefs.check_answers` reads them: a
    text, number, date, choice or yes/no as typed; a multiple choice as the list ticked; an address as its commune's
    code and street; a point as its latitude and longitude; a repeatable block as its entries in order. Files and the
    civil status link are never read from a post (the services fill them); a field the post does not name is left
    out, one posted empty is given empty (a draft then forgets it)."""
    return _block(definition.fields, data, "")


def _block(fields: Iterable[Field], data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in fields:
        path = prefix + item.key
        if item.type in SINGLE_VALUE:
            if path in data:
                answers[item.key] = _get(data, path)
        elif item.type == FieldType.MULTIPLE_CHOICE:
            if path in data:
                answers[item.key] = [value for value in _getlist(data, path) if value]
        elif item.type == FieldType.ADDRESS:
            commune, street = commune_code(_get(data, f"{path}.commune")), _get(data, f"{path}.street")
            if commune or street.strip():
                answers[item.key] = {"commune": commune, "street": street}
        elif item.type == FieldType.MAP_POINT:
            latitude, longitude = (_number(_get(data, f"{path}.{part}")) for part in ("lat", "lon"))
            if latitude or longitude:
                answers[item.key] = {"lat": latitude, "lon": longitude}
        elif item.type == FieldType.REPEAT:
            count = entry_count(item, data, path)
            if count or f"{path}.{ENTRIES}" in data:
                answers[item.key] = [_block(item.fields, data, f"{path}.{index}.") for index in range(count)]
    return answers


def _number(typed: str) -> str:
    """A coordinate as typed, its decimal comma read as a point."""
    return typed.strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")


def data_from_answers(
    definition: FormDefinition, answers: Mapping[str, Any], commune_labels: Mapping[str, str] | None = None
) -> MultiValueDict:
    """What the inputs show for saved answers: the inverse of `answers_from_post` (an address's commune as the
    picker writes it, from `commune_labels` by code)."""
    data: MultiValueDict = MultiValueDict()
    _put(definition.fields, answers, "", data, commune_labels or {})
    return data


def _put(fields: Iterable[Field], answers: Any, prefix: str, data: MultiValueDict, labels: Mapping[str, str]) -> None:
    if not isinstance(answers, Mapping):
        return
    for item in fields:
        path, value = prefix + item.key, answers.get(item.key)
        if value is None:
            continue
        if item.type == FieldType.YES_NO:
            data[path] = "yes" if value is True else "no" if value is False else str(value)
        elif item.type in SINGLE_VALUE:
            data[path] = str(value)
        elif item.type == FieldType.MULTIPLE_CHOICE:
            data.setlist(path, [str(one) for one in value] if isinstance(value, list) else [str(value)])
        elif item.type == FieldType.ADDRESS and isinstance(value, Mapping):
            code = str(value.get("commune") or "")
            data[f"{path}.commune"] = labels.get(code, code)
            data[f"{path}.street"] = str(value.get("street") or "")
        elif item.type == FieldType.MAP_POINT and isinstance(value, Mapping):
            data[f"{path}.lat"], data[f"{path}.lon"] = str(value.get("lat", "")), str(value.get("lon", ""))
        elif item.type == FieldType.REPEAT and isinstance(value, list):
            data[f"{path}.{ENTRIES}"] = str(len(value))
            for index, entry in enumerate(value):
                _put(item.fields, entry, f"{path}.{index}.", data, labels)


def communes_in(definition: FormDefinition, answers: Mapping[str, Any]) -> set[str]:
    """The codes of the communes the answers' addresses name (the page shows their names)."""
    codes: set[str] = set()

    def walk(fields: Iterable[Field], given: Any) -> None:
        if not isinstance(given, Mapping):
            return
        for item in fields:
            value = given.get(item.key)
            if item.type == FieldType.ADDRESS and isinstance(value, Mapping) and value.get("commune"):
                codes.add(str(value["commune"]))
            elif item.type == FieldType.REPEAT and isinstance(value, list):
                for entry in value:
                    walk(item.fields, entry)

    walk(definition.fields, answers)
    return codes


def without_entry(definition: FormDefinition, data: Mapping[str, Any], path: str, index: int) -> MultiValueDict:
    """The posted data with entry `index` of the block at `path` taken out, the later entries moved up one."""
    kept: MultiValueDict = MultiValueDict()
    pattern = re.compile(rf"^{re.escape(path)}\.(\d{{1,3}})\.(.+)$")
    count = entry_count(_block_field(definition, path), data, path)
    for name in data:
        values = _getlist(data, name)
        found = pattern.match(name) if isinstance(name, str) else None
        if found is None:
            kept.setlist(name, values)
        elif (position := int(found.group(1))) != index:
            kept.setlist(f"{path}.{position - (position > index)}.{found.group(2)}", values)
    kept[f"{path}.{ENTRIES}"] = str(max(count - 1, 0))
    return kept


def with_entry(definition: FormDefinition, data: Mapping[str, Any], path: str) -> MultiValueDict:
    """The posted data with one more, empty, entry in the block at `path`."""
    copied: MultiValueDict = MultiValueDict({name: _getlist(data, name) for name in data})
    item = _block_field(definition, path)
    copied[f"{path}.{ENTRIES}"] = str(min(max(entry_count(item, data, path), _least_entries(item)) + 1, MAX_REPEATS))
    return copied


def _block_field(definition: FormDefinition, path: str) -> Field:
    item = definition.field(path)
    if item is None or item.type != FieldType.REPEAT:
        raise KeyError(path)
    return item


def _least_entries(item: Field) -> int:
    return max(item.min_items, 1 if item.required else 0)


# The form laid out for a page


@dataclass
class Shown:
    """One field as the page shows it: where its answer goes, what was typed, what is wrong with it."""

    field: Field
    path: str
    value: str = ""
    values: list[str] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    entries: list["Entry"] = field(default_factory=list)
    can_add: bool = False
    attachments: list[Any] = field(default_factory=list)
    linked: Mapping[str, Any] | None = None

    @property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @property
    def type(self) -> str:
        return self.field.type

    @property
    def described_by(self) -> str:
        """The ids of what describes the input: its errors, and its help when it has one."""
        return f"{self.id}-errors {self.id}-help" if self.field.help_text else f"{self.id}-errors"

    @property
    def as_radios(self) -> bool:
        return len(self.field.choices) <= MAX_RADIOS

    @property
    def can_attach(self) -> bool:
        return len(self.attachments) < self.field.max_items

    @property
    def entries_name(self) -> str:
        return f"{self.path}.{ENTRIES}"


@dataclass
class Entry:
    index: int
    path: str
    fields: list[Shown]
    errors: list[str] = field(default_factory=list)  # of the entry itself ("fill it in or remove it")

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")


def shown_fields(
    definition: FormDefinition,
    data: Mapping[str, Any],
    *,
    errors: Mapping[str, Sequence[str]] | None = None,
    attachments: Iterable[Any] = (),
    answers: Mapping[str, Any] | None = None,
) -> list[Shown]:
    """The fields shown for `data` (posted, or `data_from_answers`): those whose condition holds on what the data
    answers, each with its raw value, its errors (by path), its files (`attachments`, each with its `path`) and, for a
    civil status link, what the register gave (`answers`, the dossier's saved answers)."""
    files: dict[str, list[Any]] = {}
    for attachment in attachments:
        files.setdefault(attachment.path, []).append(attachment)
    return _shown(definition.fields, data, "", errors or {}, files, answers or {})


def _visible(fields: Sequence[Field], data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The answers the block's conditions read, as the engine keeps them (a yes read as True, a choice offered)."""
    given = _block(fields, data, prefix)
    return check_answers(FormDefinition((), tuple(fields)), given, complete=False).answers


def _shown(
    fields: Sequence[Field],
    data: Mapping[str, Any],
    prefix: str,
    errors: Mapping[str, Sequence[str]],
    files: Mapping[str, list[Any]],
    saved: Mapping[str, Any],
) -> list[Shown]:
    visible = _visible(fields, data, prefix)
    shown = []
    for item in fields:
        if not item.shown(visible):
            continue
        path = prefix + item.key
        one = Shown(item, path, errors=list(errors.get(path, [])))
        if item.type in SINGLE_VALUE:
            one.value = _get(data, path)
        elif item.type == FieldType.MULTIPLE_CHOICE:
            one.values = _getlist(data, path)
        elif item.type == FieldType.ADDRESS:
            one.parts = {part: _get(data, f"{path}.{part}") for part in ("commune", "street")}
        elif item.type == FieldType.MAP_POINT:
            one.parts = {part: _get(data, f"{path}.{part}") for part in ("lat", "lon")}
        elif item.type == FieldType.CIVIL_STATUS_LINK:
            linked = saved.get(item.key)
            one.linked = linked if isinstance(linked, Mapping) and linked.get("names") else None
            one.parts = {part: _get(data, f"{path}.{part}") for part in LINK_PARTS}
        elif item.type == FieldType.FILE:
            one.attachments = files.get(path, [])
        elif item.type == FieldType.REPEAT:
            with_files = [int(name.split(".")[1]) for name in files if _in_entry(name, path)]
            count = max(entry_count(item, data, path), _least_entries(item), max(with_files, default=-1) + 1)
            one.entries = [
                Entry(
                    index,
                    f"{path}.{index}",
                    _shown(item.fields, data, f"{path}.{index}.", errors, files, {}),
                    errors=list(errors.get(f"{path}.{index}", [])),
                )
                for index in range(count)
            ]
            one.can_add = count < item.max_items
        shown.append(one)
    return shown


def _in_entry(name: str, path: str) -> bool:
    parts = name.split(".")
    return len(parts) == 3 and parts[0] == path and parts[1].isascii() and parts[1].isdigit()


def every_shown(shown: Iterable[Shown]) -> Iterable[Shown]:
    """Each field shown, those of the blocks' entries included."""
    for one in shown:
        yield one
        for entry in one.entries:
            yield from every_shown(entry.fields)


def layout_signature(shown: Iterable[Shown]) -> str:
    """What the page's layout is (the paths shown, in order): a save that keeps it leaves the inputs in place."""
    paths = "|".join(one.path for one in every_shown(shown))
    return hashlib.sha256(paths.encode()).hexdigest()[:16]


def every_entry(shown: Iterable[Shown]) -> Iterable[Entry]:
    """Each entry of the blocks shown."""
    for one in shown:
        yield from one.entries


def unplaced_errors(errors: Mapping[str, Sequence[str]], shown: Iterable[Shown]) -> list[str]:
    """The errors of paths no field nor entry shown carries (said above the form)."""
    shown = list(shown)
    placed = {one.path for one in every_shown(shown)} | {entry.path for entry in every_entry(shown)}
    return [message for path, messages in errors.items() if path not in placed for message in messages]


def error_summary(errors: Mapping[str, Sequence[str]], shown: Iterable[Shown]) -> list[tuple[str, str, str]]:
    """(id of the input, label, message) for each error of a field or an entry shown, in the form's order."""
    summary = []
    for one in every_shown(shown):
        for message in errors.get(one.path, []):
            summary.append((one.id, _entry_label(one), message))
        for entry in one.entries:
            for message in entry.errors:
                label = _("%(label)s (entry %(number)s)") % {"label": one.field.text, "number": entry.number}
                summary.append((entry.id, label, message))
    return summary


def _entry_label(one: Shown) -> str:
    parts = one.path.split(".")
    if len(parts) == 3:
        return _("%(label)s (entry %(number)s)") % {"label": one.field.text, "number": int(parts[1]) + 1}
    return one.field.text


# The answers as an office or the applicant reads them


@dataclass
class Readable:
    field: Field
    path: str
    text: str = ""
    day: datetime.date | None = None
    items: list[str] = field(default_factory=list)
    entries: list[list["Readable"]] = field(default_factory=list)
    attachments: list[Any] = field(default_factory=list)
    link: Mapping[str, Any] | None = None
    point: Mapping[str, Any] | None = None
    answered: bool = True

    @property
    def type(self) -> str:
        return self.field.type


def readable_answers(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    *,
    attachments: Iterable[Any] = (),
    commune_labels: Mapping[str, str] | None = None,
) -> list[Readable]:
    """The answers as a person reads them, in the reader's language: each field whose condition holds, its choice
    texts, its unit, its files (by path), the civil status link as the register gave it."""
    files: dict[str, list[Any]] = {}
    for attachment in attachments:
        files.setdefault(attachment.path, []).append(attachment)
    return _readable(definition.fields, answers, "", files, commune_labels or {})


def _readable(
    fields: Iterable[Field],
    answers: Any,
    prefix: str,
    files: Mapping[str, list[Any]],
    labels: Mapping[str, str],
) -> list[Readable]:
    answers = answers if isinstance(answers, Mapping) else {}
    read = []
    for item in fields:
        if not item.shown(answers):
            continue
        path, value = prefix + item.key, answers.get(item.key)
        one = Readable(item, path)
        if item.type == FieldType.FILE:
            one.attachments = files.get(path, [])
            one.answered = bool(one.attachments)
        elif item.type == FieldType.REPEAT:
            one.entries = [
                _readable(item.fields, entry, f"{path}.{index}.", files, labels)
                for index, entry in enumerate(value if isinstance(value, list) else [])
            ]
            one.answered = bool(one.entries)
        elif value is None or value == "" or value == []:
            one.answered = False
        elif item.type == FieldType.NUMBER:
            one.text = f"{value} {item.unit_text}".strip()
        elif item.type == FieldType.DATE:
            try:
                one.day = datetime.date.fromisoformat(str(value))
            except ValueError:
                one.text = str(value)
        elif item.type == FieldType.CHOICE:
            one.text = item.choice_text(value)
        elif item.type == FieldType.MULTIPLE_CHOICE:
            one.items = [item.choice_text(choice) for choice in (value if isinstance(value, list) else [value])]
        elif item.type == FieldType.YES_NO:
            one.text = _("Yes") if value is True else _("No")
        elif item.type == FieldType.ADDRESS and isinstance(value, Mapping):
            code = str(value.get("commune") or "")
            one.text = ", ".join(part for part in (str(value.get("street") or ""), labels.get(code, code)) if part)
        elif item.type == FieldType.MAP_POINT and isinstance(value, Mapping):
            # As written, with a point: a page would write a float's decimal point as a comma in French or Arabic.
            one.point = {part: str(value.get(part, "")) for part in ("lat", "lon")}
        elif item.type == FieldType.CIVIL_STATUS_LINK and isinstance(value, Mapping):
            one.link = value
        else:
            one.text = str(value)
        read.append(one)
    return read


# The pages' own forms


class StartForm(CheckedTextForm, forms.Form):
    """Where the project is, and in whose name the dossier is filed."""

    commune = CommuneField(label=gettext_lazy("Commune of the project"))
    on_behalf = forms.ChoiceField(label=gettext_lazy("Filed in the name of"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, procedure: Any, representations: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        if procedure.citizens_may_file:
            choices.append(("", _("Myself")))
        if procedure.enterprises_may_file:
            choices += [
                (str(one.enterprise.pk), f"{one.enterprise.legal_name} (ICE {one.enterprise.ice})")
                for one in representations
            ]
        self.fields["on_behalf"].choices = choices
        self.fields["on_behalf"].required = bool(choices) and not procedure.citizens_may_file
        self.fields["on_behalf"].initial = choices[0][0] if choices else ""
        self.representations = {str(one.enterprise.pk): one.enterprise for one in representations}
        if len(choices) <= 1:
            self.fields["on_behalf"].widget = forms.HiddenInput()

    def clean_on_behalf(self) -> Any:
        chosen = self.cleaned_data.get("on_behalf") or ""
        return self.representations.get(chosen) if chosen else None


class CivilStatusLinkForm(forms.Form):
    """The facts that name the applicant's birth act in the register (posted with the dossier's form)."""

    idcs = forms.CharField(label=gettext_lazy("Your IDCS (civil status identifier)"), max_length=20)
    birth_date = forms.DateField(label=gettext_lazy("Your date of birth"))
    first_name = forms.CharField(label=gettext_lazy("Your first name, as on your birth act"), max_length=100)

    @classmethod
    def from_post(cls, data: Mapping[str, Any], path: str) -> "CivilStatusLinkForm":
        return cls({part: _get(data, f"{path}.{part}") for part in LINK_PARTS})


class MessageForm(CheckedTextForm, forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"})
    )


class OfficeMessageForm(CheckedTextForm, forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"})
    )
    private = forms.BooleanField(label=gettext_lazy("Private note: only the office reads it"), required=False)


class AnswerForm(CheckedTextForm, forms.Form):
    message = forms.CharField(
        label=gettext_lazy("What you changed (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class WithdrawForm(CheckedTextForm, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why (optional)"), max_length=300, required=False)


class QueueFilterForm(forms.Form):
    mine = forms.BooleanField(label=gettext_lazy("Assigned to me only"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Every pending state"))] + [
            (state.value, state.label) for state in PENDING_STATES
        ]


class AssignForm(forms.Form):
    agent = forms.ChoiceField(label=gettext_lazy("Agent"))

    def __init__(self, *args: Any, agents: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agents = {str(agent.pk): agent for agent in agents}
        self.fields["agent"].choices = [(str(agent.pk), agent.full_name or str(agent)) for agent in agents]

    def clean_agent(self) -> Any:
        return self.agents[self.cleaned_data["agent"]]


class RequestInformationForm(CheckedTextForm, forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("What is wrong"), choices=CorrectionReason.choices)
    message = forms.CharField(
        label=gettext_lazy("What the applicant must correct or add"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class ApproveForm(CheckedTextForm, forms.Form):
    conditions = forms.CharField(
        label=gettext_lazy("Conditions of the approval (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    tax_exemption = forms.CharField(
        label=gettext_lazy("Exempt from the construction tax, because (leave empty when it is due)"),
        max_length=300,
        required=False,
    )

    def __init__(self, *args: Any, taxed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not taxed:
            del self.fields["tax_exemption"]


class RefuseForm(CheckedTextForm, forms.Form):
    reasons = forms.CharField(
        label=gettext_lazy("Reasons of the refusal"),
        help_text=gettext_lazy("Every refusal is motivated (Law 55-19): the applicant reads them in the decision."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class ReexamineForm(CheckedTextForm, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is examined again"), max_length=300)


# The commission's forms


class OpinionForm(CheckedTextForm, forms.Form):
    """A member's opinion on a dossier: favourable, with conditions, or unfavourable, why, and its files."""

    verdict = forms.ChoiceField(label=gettext_lazy("Opinion"), choices=Verdict.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=gettext_lazy("Conditions or reasons"),
        help_text=gettext_lazy("Required for an opinion with conditions or an unfavourable one."),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    files = MultipleFileField(
        label=gettext_lazy("Files (optional)"),
        help_text=gettext_lazy("A technical note, an annotated plan: PDF, JPEG or PNG, 5 files at most."),
        required=False,
    )


class ConveneForm(CheckedTextForm, forms.Form):
    """A meeting of a single window's commission: where and when; its agenda is what is ready."""

    unit = forms.ChoiceField(label=gettext_lazy("Single window"))
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=gettext_lazy("Place (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, units: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(unit.pk): unit for unit in units}
        self.fields["unit"].choices = [(str(unit.pk), unit.name) for unit in units]
        if len(units) == 1:  # the person's one single window: nothing to choose
            self.fields["unit"].initial = str(units[0].pk)
            self.fields["unit"].widget = forms.HiddenInput()
            self.fields["unit"].required = False

    def clean_unit(self) -> Any:
        chosen = self.cleaned_data["unit"]
        if not chosen and len(self.units) == 1:
            return next(iter(self.units.values()))
        return self.units[chosen]


# The public figures' filters


class FiguresFilterForm(forms.Form):
    """What the figures are shown for: a quarter, the places of a level, under a region or a province. A value
    that is not offered is named beside its field, and the figures shown for the default."""

    level = forms.ChoiceField(label=gettext_lazy("Places"), required=False)
    quarter = forms.ChoiceField(label=gettext_lazy("Quarter"), required=False)
    within = forms.ChoiceField(label=gettext_lazy("Within"), required=False)

    def __init__(
        self,
        *args: Any,
        levels: Sequence[tuple[str, Any]] | None,
        quarters: Sequence[tuple[str, str]],
        territories: Sequence[tuple[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if levels is None:
            del self.fields["level"]
        else:
            self.fields["level"].choices = levels
        self.fields["quarter"].choices = quarters
        self.fields["within"].choices = [("", _("The whole country")), *territories]

    def value(self, name: str, default: str) -> str:
        """The value chosen for a field when it is one offered, else `default`."""
        if not self.is_bound or name not in self.fields:
            return default
        self.is_valid()  # what is not offered is left out of cleaned_data, and named beside its field
        return self.cleaned_data.get(name) or default
