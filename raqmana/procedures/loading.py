"""The catalogue's procedures, loaded from their versioned definition files (`definitions/<code>.json`).

Each file holds one procedure: its catalogue entry (titles, descriptions and legal basis in Arabic, French and
English; category, competent office, who may file, its delay and how it counts, whether silence means approval and
whether a commission reviews it) and its form (`form`: see `formdefs` and `catalogue`). A file's `version` says which
state of its form it holds: the form is added as a new `ProcedureVersion` only when that version is above every one
stored (an administrator's edit takes a number too), so that loading twice changes nothing. The catalogue entry is
the file's, whatever its version. A faulty file is refused with all its faults and changes nothing; the others
still load. `manage.py load_procedures` runs this.
"""

import enum
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from raqmana.territories.constants import UnitKind

from . import catalogue
from .constants import Category
from .formdefs import KEY, LANGUAGES
from .models import Procedure

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

TEXTS = ("title", "description", "legal_basis")
FLAGS = (
    "citizens_may_file",
    "enterprises_may_file",
    "delay_in_working_days",
    "investment_project",
    "silence_means_approval",
    "through_commission",
    "published",
)
FILE_KEYS = ("code", "version", "category", "order", *TEXTS, "competent_unit_kind", "delay_days", *FLAGS, "form")


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class Entry:
    """A definition file read and checked: the procedure's code, the file's version, the catalogue's values (by
    field of `Procedure`) and the form."""

    code: str
    version: int
    values: dict[str, Any]
    form: dict[str, Any]


@dataclass
class FileReport:
    file: str
    code: str
    outcome: Outcome
    version_added: int | None = None
    changes: list[str] = field(default_factory=list)  # the catalogue fields changed
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = f"{self.file}: {self.outcome}"
        if self.version_added is not None:
            text += " " + _("(form version %(number)d added)") % {"number": self.version_added}
        if self.changes:
            text += " " + _("(changed: %(fields)s)") % {"fields": ", ".join(self.changes)}
        return text


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)

    def of(self, outcome: Outcome) -> list[FileReport]:
        return [report for report in self.files if report.outcome == outcome]

    @property
    def refused(self) -> list[FileReport]:
        return self.of(Outcome.REFUSED)

    @property
    def warnings(self) -> list[str]:
        return [f"{report.file}: {warning}" for report in self.files for warning in report.warnings]


def load_definitions(directory: Path | str = DEFINITIONS_DIR) -> LoadReport:
    """Load every `*.json` of `directory`, one transaction per file, in the order of their names."""
    report = LoadReport()
    seen: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            entry = read_definition(path)
        except ValidationError as error:
            report.files.append(FileReport(path.name, path.stem, Outcome.REFUSED, errors=error.messages))
            continue
        if entry.code in seen:
            message = _("The code %(code)s is already the code of %(file)s.") % {
                "code": entry.code,
                "file": seen[entry.code],
            }
            report.files.append(FileReport(path.name, entry.code, Outcome.REFUSED, errors=[message]))
            continue
        seen[entry.code] = path.name
        try:
            report.files.append(_load(path.name, entry))
        except ValidationError as error:
            report.files.append(FileReport(path.name, entry.code, Outcome.REFUSED, errors=error.messages))
    return report


def read_definition(path: Path) -> Entry:
    """The file's entry, checked without the database: its JSON, its catalogue values, its delay (Law 55-19,
    art. 16) and its form (`catalogue.check_definition`). A ValidationError names every fault."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(_("The file cannot be read: %(error)s") % {"error": error}) from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("The file is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
            % {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(_("A definition file holds one object."))
    faults: list[str] = []
    for key in data:
        if key not in FILE_KEYS:
            faults.append(_("Unknown key “%(key)s”.") % {"key": key})
    for key in FILE_KEYS:
        if key not in data:
            faults.append(_("The key “%(key)s” is missing.") % {"key": key})
    code: Any = data.get("code")
    if not isinstance(code, str) or not KEY.fullmatch(code):
        faults.append(_("code: lower-case letters, digits and underscores."))
    elif code != path.stem:
        faults.append(_("code: %(code)s is not the file's name (%(name)s).") % {"code": code, "name": path.stem})
    version: Any = data.get("version")
    if not _whole(version) or version < 1:
        faults.append(_("version: a whole number, 1 or more."))
    if data.get("category") not in Category.values:
        faults.append(_("category: one of %(values)s.") % {"values": ", ".join(Category.values)})
    if data.get("competent_unit_kind") not in UnitKind.values:
        faults.append(_("competent_unit_kind: one of %(values)s.") % {"values": ", ".join(UnitKind.values)})
    order: Any = data.get("order")
    if not _whole(order) or not 0 <= order <= 32767:
        faults.append(_("order: a whole number from 0 to 32767."))
    values: dict[str, Any] = {}
    for name in TEXTS:
        texts = data.get(name)
        if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
            faults.append(_("%(key)s: a text in Arabic, French and English (ar, fr, en).") % {"key": name})
            continue
        for language in LANGUAGES:
            if not isinstance(texts[language], str) or not texts[language].strip():
                faults.append(_("%(key)s.%(language)s: the text is empty.") % {"key": name, "language": language})
            else:
                values[f"{name}_{language}"] = texts[language].strip()
    for name in FLAGS:
        if not isinstance(data.get(name), bool):
            faults.append(_("%(key)s: true or false.") % {"key": name})
    if data.get("citizens_may_file") is False and data.get("enterprises_may_file") is False:
        faults.append(_("Citizens, enterprises or both may file."))
    investment = data.get("investment_project") is True
    try:
        catalogue.check_delay(data.get("delay_days"), investment_project=investment)
    except ValidationError as error:
        faults.extend(f"delay_days: {message}" for message in error.messages)
    through_commission = data.get("through_commission")
    try:
        catalogue.check_definition(
            data.get("form"), through_commission=through_commission if isinstance(through_commission, bool) else None
        )
    except ValidationError as error:
        faults.extend(f"form: {message}" for message in error.messages)
    # The texts as the catalogue stores them: checked by the platform's text check, within their fields' lengths.
    texts = Procedure(**values)
    try:
        texts.clean_fields(exclude=[item.name for item in Procedure._meta.fields if item.name not in values])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            faults.extend(f"{name}: {message}" for message in messages)
    values = {name: getattr(texts, name) for name in values}  # normalised (NFC) as stored
    if faults:
        raise ValidationError(faults)
    values.update(
        category=data["category"],
        order=order,
        competent_unit_kind=data["competent_unit_kind"],
        delay_days=data["delay_days"],
        **{name: data[name] for name in FLAGS},
    )
    return Entry(code, version, values, data["form"])


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@transaction.atomic
def _load(file: str, entry: Entry) -> FileReport:
    procedure = Procedure.objects.select_for_update().filter(code=entry.code).first()
    report = FileReport(file, entry.code, Outcome.UNCHANGED)
    if procedure is None:
        procedure = Procedure(code=entry.code, **entry.values)
        procedure.check_texts()
        procedure.save()
        report.outcome = Outcome.CREATED
    else:
        report.changes = [name for name, value in entry.values.items() if getattr(procedure, name) != value]
        if report.changes:
            for name in report.changes:
                setattr(procedure, name, entry.values[name])
            procedure.check_texts()
            procedure.save(update_fields=report.changes)
            report.outcome = Outcome.UPDATED
    latest = catalogue.latest_version_number(procedure)
    if entry.version > latest:
        catalogue.add_version(
            procedure, entry.form, source=f"definitions/{file}@{entry.version}", by=None, number=entry.version
        )
        report.version_added = entry.version
        if report.outcome == Outcome.UNCHANGED:
            report.outcome = Outcome.UPDATED
    elif entry.version < latest:
        report.warnings.append(
            _(
                "its version %(version)d is below the form in force, version %(latest)d (edited in the "
                "administration?): its form is not loaded. Raise its version above %(latest)d to replace it."
            )
            % {"version": entry.version, "latest": latest}
        )
    elif procedure.versions.get(number=latest).definition != entry.form:
        report.warnings.append(
            _(
                "its form differs from the stored version %(latest)d, but its version was not raised: the form "
                "is not loaded."
            )
            % {"latest": latest}
        )
    return report
