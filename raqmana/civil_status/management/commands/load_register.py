import csv
import json
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.accounts.models import User
from raqmana.civil_status.constants import ActState
from raqmana.civil_status.models import ACT_INPUT_FIELDS, Act
from raqmana.civil_status.paper_numbers import checked, plain_number, written
from raqmana.civil_status.services.bulk_load import LoadResult, SourceKey, load_historical_acts
from raqmana.kernel.text import TextKind, check_text
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory

# The columns a file may have: the source key (the office by its code), the kind, when the paper act was signed
# (the day of its declaration when not given) and what an agent types into an act, communes by their HCP code.
# A digitised death act is not linked to a birth act (a marginal mention does that): no birth_act column.
SOURCE_KEY_COLUMNS = ["office", "year", "register_volume", "paper_number"]
COLUMNS = [*SOURCE_KEY_COLUMNS, "kind", "signed_at", *[name for name in ACT_INPUT_FIELDS if name != "birth_act"]]
KNOWN_COLUMNS = set(COLUMNS)
REQUIRED_COLUMNS = [*SOURCE_KEY_COLUMNS, "kind"]
COMMUNE_COLUMNS = {"birth_place", "death_place"}
# What every act must be given, the forms' required fields (the loader checks the source key and the names).
REQUIRED_VALUES = {"kind", "sex", "birth_date", "declarant_relation", "declared_on"}
JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}


def decoded_lines(binary: BinaryIO) -> Iterator[str]:
    """The file's lines as text, decoded one by one so that a line that is not UTF-8 is named by its number."""
    for number, raw in enumerate(binary):
        yield raw.decode("utf-8-sig" if number == 0 else "utf-8")


class RowError(Exception):
    def __init__(self, line: int, errors: dict[str, list[str]]) -> None:
        super().__init__(line, errors)
        self.line, self.errors = line, errors


class Command(BaseCommand):
    help = (
        "Load a digitised paper register: a CSV file (UTF-8, a header of column names) or JSON Lines (one object a "
        "line), one act a row, committed batch by batch. The columns: " + ", ".join(COLUMNS) + " (office by its code, "
        "communes by their HCP code, dates as YYYY-MM-DD). Run again after any failure, it loads what is missing: "
        "an act whose paper act (office, year, volume, number) is in the register is skipped and counted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--by", required=True, help="the email address of the account loading the register")
        parser.add_argument("--reason", required=True, help="why the register is loaded, for the audit trail")
        parser.add_argument("--batch-size", type=int, default=2000, help="acts committed together (default 2000)")

    def handle(self, *args: Any, file: Path, by: str, reason: str, batch_size: int, **options: Any) -> None:
        loader = User.objects.filter(email__iexact=by.strip()).first()
        if loader is None:
            raise CommandError(_("No account has the email address %(email)s.") % {"email": by})
        if not reason.strip():
            raise CommandError(_("Say why these acts are loaded."))
        if batch_size < 1:
            raise CommandError(_("A batch holds at least one act."))
        if not file.is_file():
            raise CommandError(_("There is no file at %(path)s.") % {"path": file})
        self.loader, self.reason, self.verbosity = loader, reason, options["verbosity"]
        self.offices: dict[str, int] = {}
        self.communes: dict[str, int] = {}
        self.batches = self.loaded = self.skipped = self.repeated = 0
        try:
            self.load(self.act_rows(file), batch_size)
        except RowError as error:
            raise CommandError(self.refusal(error)) from None
        self.stdout.write(
            _("Done. Loaded: %(loaded)s; already in the register: %(skipped)s; repeated in the file: %(repeated)s.")
            % {"loaded": self.loaded, "skipped": self.skipped, "repeated": self.repeated}
        )

    def load(self, rows: Iterator[tuple[int, dict[str, Any]]], batch_size: int) -> None:
        """Acts with a plain paper number first, the others (bis) after them: a bis act takes its sequence's next
        number, which must come after every plain paper number of its year in the file."""
        first_lines: dict[SourceKey, int] = {}
        lines_by_number: dict[tuple[int, int, int], int] = {}
        batch: list[tuple[int, dict[str, Any]]] = []
        others: list[tuple[int, dict[str, Any]]] = []
        for line, row in rows:
            key = (row["office_id"], row["year"], row["register_volume"], row["paper_number"])
            if all(key) and key in first_lines:
                self.report_repeated(line, first_lines[key])
                continue
            first_lines[key] = line
            number = plain_number(row["paper_number"])
            if number is None:
                others.append((line, row))
                continue
            # Two paper acts of one number, in two volumes or written otherwise ("7", "007"), as the loader refuses
            # them within a batch, and named by their lines whichever batches they fall in.
            if (row["office_id"], row["year"], number) in lines_by_number:
                other = lines_by_number[(row["office_id"], row["year"], number)]
                message = _("Line %(line)s has the same number in this register.") % {"line": other}
                raise RowError(line, {"paper_number": [message]})
            lines_by_number[(row["office_id"], row["year"], number)] = line
            batch.append((line, row))
            if len(batch) == batch_size:
                self.load_batch(batch)
                batch = []
        self.load_batch(batch)
        for start in range(0, len(others), batch_size):
            self.load_batch(others[start : start + batch_size])

    def load_batch(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        if not batch:
            return
        lines = [line for line, _row in batch]
        try:
            result = load_historical_acts([row for _line, row in batch], by=self.loader, reason=self.reason)
        except ValidationError as error:
            raise RowError(*self.first_refusal(error, lines)) from None
        self.batches += 1
        self.loaded += result.loaded
        self.skipped += len(result.already_loaded)
        self.stdout.write(
            _("Batch %(batch)s, lines %(first)s to %(last)s. Loaded: %(loaded)s; already in the register: %(skipped)s.")
            % {
                "batch": self.batches,
                "first": min(lines),
                "last": max(lines),
                "loaded": result.loaded,
                "skipped": len(result.already_loaded),
            }
        )
        self.report(result, lines)
        self.stdout.flush()

    def report(self, result: LoadResult, lines: list[int]) -> None:
        for position, first in result.repeated:
            self.report_repeated(lines[position - 1], lines[first - 1])
        if self.verbosity > 1:
            for position in result.already_loaded:
                self.stdout.write(_("Line %(line)s: already in the register.") % {"line": lines[position - 1]})

    def report_repeated(self, line: int, first_line: int) -> None:
        self.repeated += 1
        self.stdout.write(
            _("Line %(line)s: the same paper act as line %(first)s, not loaded twice.")
            % {"line": line, "first": first_line}
        )

    def first_refusal(self, error: ValidationError, lines: list[int]) -> tuple[int, dict[str, list[str]]]:
        """The loader names a refused row by its position in the batch, "position.field": its line here."""
        refusals: dict[int, dict[str, list[str]]] = {}
        for key, messages in error.message_dict.items():
            position, _dot, field = key.partition(".")
            refusals.setdefault(lines[int(position) - 1], {})[field.removesuffix("_id")] = messages
        line = min(refusals)
        return line, refusals[line]

    def refusal(self, error: RowError) -> str:
        said = [
            _("Line %(line)s, %(column)s: %(error)s") % {"line": error.line, "column": column, "error": message}
            if column
            else _("Line %(line)s: %(error)s") % {"line": error.line, "error": message}
            for column, messages in error.errors.items()
            for message in messages
        ]
        stopped = _(
            "Acts loaded before this line: %(loaded)s (batches committed: %(batches)s); none after it. Correct the "
            "file and run the command again: what the register holds is skipped."
        ) % {"loaded": self.loaded, "batches": self.batches}
        return "\n".join([*said, stopped])

    def act_rows(self, file: Path) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each row of the file as the loader takes it, with its line number."""
        read = self.json_lines if file.suffix.lower() in JSON_LINES_SUFFIXES else self.csv_lines
        for line, values in read(file):
            yield line, self.act_row(line, values)

    def csv_lines(self, file: Path) -> Iterator[tuple[int, dict[str, Any]]]:
        with file.open("rb") as binary:
            reader = csv.reader(decoded_lines(binary))
            line = 0
            try:
                header = [column.strip() for column in next(reader, [])]
                self.check_columns(header)
                line = reader.line_num
                for values in reader:
                    if any(value.strip() for value in values):
                        if len(values) != len(header):
                            message = _("Values: %(count)s; columns: %(columns)s.")
                            raise RowError(line + 1, {"": [message % {"count": len(values), "columns": len(header)}]})
                        yield line + 1, dict(zip(header, values, strict=True))
                    line = reader.line_num
            except UnicodeDecodeError:
                raise RowError(reader.line_num + 1, {"": [_("This line is not UTF-8 text.")]}) from None
            except csv.Error as error:
                raise RowError(line + 1, {"": [str(error)]}) from None

    def json_lines(self, file: Path) -> Iterator[tuple[int, dict[str, Any]]]:
        with file.open("rb") as binary:
            line = 0
            try:
                for line, content in enumerate(decoded_lines(binary), start=1):
                    if not content.strip():
                        continue
                    try:
                        values = json.loads(content)
                    except json.JSONDecodeError:
                        values = None
                    if not isinstance(values, dict):
                        raise RowError(line, {"": [_("This line is not a JSON object.")]})
                    self.check_columns(list(values), line=line)
                    yield line, values
            except UnicodeDecodeError:
                raise RowError(line + 1, {"": [_("This line is not UTF-8 text.")]}) from None

    def check_columns(self, columns: list[str], line: int = 1) -> None:
        given = set(columns)
        errors = []
        if unknown := given - KNOWN_COLUMNS:
            errors.append(_("No act has these fields: %(columns)s.") % {"columns": ", ".join(sorted(unknown))})
        if missing := [column for column in REQUIRED_COLUMNS if column not in given]:
            errors.append(_("These columns are missing: %(columns)s.") % {"columns": ", ".join(missing)})
        if len(given) < len(columns):
            twice = sorted({column for column in columns if columns.count(column) > 1})
            errors.append(_("These columns are given twice: %(columns)s.") % {"columns": ", ".join(twice)})
        if errors:
            raise RowError(line, {"": errors})

    def act_row(self, line: int, values: dict[str, Any]) -> dict[str, Any]:
        """A row's values as Act field values, each checked as the act's field checks it."""
        row: dict[str, Any] = {
            "state": ActState.SIGNED,
            "drafted_by_id": self.loader.pk,
            "signed_by_id": self.loader.pk,
        }
        errors = {}
        for column in COLUMNS:
            value = values.get(column)
            if isinstance(value, str):
                value = value.strip()
            try:
                if isinstance(value, str) and not value.isprintable():
                    # A NUL and its like are refused before a code is looked up (PostgreSQL cannot take them) or
                    # a value is quoted in a refusal; what is printable passes without the full check.
                    check_text(value, TextKind.PLAIN_TEXT)
                if column == "office":
                    row["office_id"] = self.office_id(value)
                elif column in COMMUNE_COLUMNS:
                    row[f"{column}_id"] = self.commune_id(value) if value else None
                else:
                    row[column] = self.field_value(column, value)
                if column == "paper_number" and row[column]:
                    # Read here already, to load the plain numbers first.
                    row[column] = checked(row[column])
            except ValidationError as error:
                errors[column] = error.messages
        if errors:
            raise RowError(line, errors)
        if row["signed_at"] is None:
            row["signed_at"] = timezone.make_aware(datetime.combine(row["declared_on"], time()))
        row["register_volume"] = written(row["register_volume"])
        return row

    def field_value(self, column: str, value: Any) -> Any:
        field = Act._meta.get_field(column)
        if value in (None, ""):
            if column in REQUIRED_VALUES:
                raise ValidationError(_("This field is required."))
            return None if field.null else field.get_default()
        value = field.clean(value, None)
        if isinstance(value, datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def office_id(self, code: Any) -> int:
        code = str(code or "")
        if code not in self.offices:
            office = CivilStatusOffice.objects.filter(code=code).values_list("pk", flat=True).first()
            if office is None:
                raise ValidationError(_("No civil status office has the code %(code)s.") % {"code": code})
            self.offices[code] = office
        return self.offices[code]

    def commune_id(self, code: Any) -> int:
        code = str(code)
        if code not in self.communes:
            commune = Territory.objects.filter(code=code, level=Level.COMMUNE).values_list("pk", flat=True).first()
            if commune is None:
                raise ValidationError(_("No commune has the HCP code %(code)s.") % {"code": code})
            self.communes[code] = commune
        return self.communes[code]
