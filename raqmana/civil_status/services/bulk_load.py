"""Bulk loads of digitised paper registers: thousands of acts signed long ago, each with its place in its paper
register (office, year, volume, number as written), given their IDCS and search keys, and written in one go.

A load can be run again: an act whose paper act is already in the register is skipped and reported, so a load
stopped half-way (a bad row, a killed process) is completed by running it again with the same file.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.civil_status import rules
from raqmana.civil_status.constants import ACT_REGISTER, ActKind
from raqmana.civil_status.models import Act
from raqmana.civil_status.names import search_keys
from raqmana.civil_status.paper_numbers import checked, plain_number, written
from raqmana.kernel.sequences import raise_numbers, reserve_numbers
from raqmana.kernel.text import TextKind, check_field_text
from raqmana.territories.models import CivilStatusOffice

from .acts import unused_idcs

LOADED_FIELDS = [field for field in Act._meta.concrete_fields if not field.primary_key]
# What Act.checked_values does not check as a text: choices, and dates or numbers a caller may give as text.
OTHER_THAN_TEXTS = [field.attname for field in LOADED_FIELDS if Act.text_kind_of(field) is None]


IDCS_DRAWS = 3

# (office id, year, volume, paper number as written): where a digitised act stands in the paper registers.
SourceKey = tuple[int, int, str, str]


@dataclass
class LoadResult:
    """What a load did with its rows, each named by its position among them (from 1)."""

    loaded: int = 0
    # Rows whose paper act the register already holds (an earlier load, or a concurrent one, wrote it).
    already_loaded: list[int] = field(default_factory=list)
    # (position, position of the first row of the same paper act): the later copies are not loaded.
    repeated: list[tuple[int, int]] = field(default_factory=list)


def source_key(act: dict[str, Any]) -> SourceKey:
    return (act["office_id"], act["year"], act["register_volume"], act["paper_number"])


@transaction.atomic
def load_historical_acts(rows: Iterable[dict[str, Any]], *, by: User, reason: str) -> LoadResult:
    """Load digitised paper acts (signed long ago) in bulk, each at most once: a row whose paper act (office,
    year, volume, number as written) is already in the register, or repeats an earlier row, is skipped and
    reported. One audit event for the acts loaded.

    A plain paper number ("123") is the act's number in the register, so the references people hold on their
    old extracts stay valid, and the office's sequence of that year is raised to it: later acts take the numbers
    after it. A paper number followed by the word of an inserted act ("123 مكرر", "123 bis") is kept as written,
    and the act takes the sequence's next number. Any other paper number, and a number another act of the office
    and year holds, are refused, naming the row; so is a character no text may hold (a NUL), in any value.

    Rows are dicts of Act field values; they stay dicts up to the database (no model instance each), which
    is what lets PostgreSQL's COPY take tens of thousands of acts a second.
    """
    now = timezone.now()
    defaults = {field.attname: field.get_default() for field in LOADED_FIELDS}
    result = LoadResult()
    first_rows: dict[SourceKey, int] = {}
    rows_by_number: dict[tuple[int, int, int], int] = {}
    candidates: list[tuple[int, dict[str, Any]]] = []
    for position, row in enumerate(rows, start=1):
        act = {**defaults, **row, "drafted_at": now}
        try:
            _check_loaded_row(act)
        except ValidationError as error:
            # The row's position names it: a digitised register has no other handle on it yet.
            refusals = {f"{position}.{field}": texts for field, texts in error.message_dict.items()}
            raise ValidationError(refusals) from None
        key = source_key(act)
        if key in first_rows:
            result.repeated.append((position, first_rows[key]))
            continue
        first_rows[key] = position
        if act["number"] is not None:
            number_key = (act["office_id"], act["year"], act["number"])
            if number_key in rows_by_number:
                message = _("Row %(row)s has the same number in this register.")
                raise _refusal(position, message % {"row": rows_by_number[number_key]})
            rows_by_number[number_key] = position
        candidates.append((position, act))
    if not candidates:
        return result
    # Raising the sequences first locks them until this batch commits: a concurrent load of the same registers
    # waits here, then finds in the register what this one wrote.
    floors: dict[tuple[int, int], int] = {}
    for _position, act in candidates:
        sequence = (act["office_id"], act["year"])
        floors[sequence] = max(floors.get(sequence, 0), act["number"] or 0)
    raise_numbers(ACT_REGISTER, floors)
    in_register, numbers_taken = _paper_acts_in_register([act for _position, act in candidates])
    acts = []
    for position, act in candidates:
        if source_key(act) in in_register:
            result.already_loaded.append(position)
        elif act["number"] is not None and (act["office_id"], act["year"], act["number"]) in numbers_taken:
            raise _refusal(
                position,
                _("Number %(number)s of %(year)s is already another act's in this office's register.")
                % {"number": act["number"], "year": act["year"]},
            )
        else:
            act.update(search_keys(act))
            acts.append(act)
    if acts:
        _number_the_others(acts)
        _insert_with_idcs(acts)
        record(
            actor=by,
            action="act.batch_loaded",
            target=by,
            reason=reason,
            details={"acts": len(acts), "already_loaded": len(result.already_loaded), "repeated": len(result.repeated)},
            **_place_of(acts),
        )
    result.loaded = len(acts)
    return result


LOADED_REQUIRED = [
    "office_id",
    "first_name_ar",
    "family_name_ar",
    "declarant_name",
    "year",
    "register_volume",
    "paper_number",
]


def _check_loaded_row(act: dict[str, Any]) -> None:
    """What a digitised act must carry, as the forms require it, and its place in the paper register; no link from
    a death to a birth act, which is checked and noted only when an officer signs a death act
    (check_deceased_birth_act). Sets the texts checked and normalised, and the number of a plain paper number."""
    act.update(Act.checked_values(act))
    for attname in OTHER_THAN_TEXTS:
        # Nor does any other value given as text hold what no text may (PostgreSQL's COPY would fail on a NUL):
        # what is printable passes without the full check.
        value = act[attname]
        if isinstance(value, str) and not value.isprintable():
            check_field_text(attname, value, TextKind.PLAIN_TEXT)
    act["register_volume"] = written(act["register_volume"] or "")
    act["paper_number"] = written(act["paper_number"] or "")
    errors = {field: [_("This field is required.")] for field in LOADED_REQUIRED if not act[field]}
    if act["birth_act_id"] is not None:
        errors["birth_act_id"] = [_("A digitised death act is linked to the birth act by a marginal mention.")]
    if act["paper_number"]:
        try:
            act["paper_number"] = checked(act["paper_number"])
        except ValidationError as error:
            errors["paper_number"] = error.messages
    act["number"] = plain_number(act["paper_number"])
    if errors:
        raise ValidationError(errors)
    rules.check_dates(
        kind=act["kind"],
        birth_date=act["birth_date"],
        death_date=act["death_date"],
        declared_on=act["declared_on"],
        mother_birth_date=act["mother_birth_date"],
        father_birth_date=act["father_birth_date"],
    )


def _refusal(position: int, message: str) -> ValidationError:
    return ValidationError({f"{position}.paper_number": [message]})


def _paper_acts_in_register(acts: list[dict[str, Any]]) -> tuple[set[SourceKey], set[tuple[int, int, int]]]:
    """The source keys of these acts that the register holds, and the numbers among theirs that acts of the same
    office and year hold: one statement, by the index of numbers for a plain paper number, by the index of source
    keys for the others."""
    numbered = [[act["office_id"], act["year"], act["number"]] for act in acts if act["number"] is not None]
    others = [list(source_key(act)) for act in acts if act["number"] is None]
    table = Act._meta.db_table
    found = "a.office_id, a.year, a.number, a.register_volume, a.paper_number"
    if connection.vendor == "postgresql":
        by_number = "unnest(%s::bigint[], %s::int[], %s::int[]) AS k(office_id, year, number)"
        by_key = "unnest(%s::bigint[], %s::int[], %s::text[], %s::text[]) AS k(office_id, year, volume, paper)"
        params: list[Any] = [list(column) for column in zip(*numbered, strict=True)] or [[], [], []]
        params += [list(column) for column in zip(*others, strict=True)] or [[], [], [], []]
    else:
        # SQLite reads the keys from JSON, as kernel.sequences does.
        by_number = "(SELECT value ->> 0 AS office_id, value ->> 1 AS year, value ->> 2 AS number FROM json_each(%s)) k"
        by_key = (
            "(SELECT value ->> 0 AS office_id, value ->> 1 AS year, value ->> 2 AS volume, value ->> 3 AS paper "
            "FROM json_each(%s)) k"
        )
        params = [json.dumps(numbered), json.dumps(others)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {found} FROM {by_number} JOIN {table} a ON a.office_id = k.office_id AND a.year = k.year "
            "AND a.number = k.number WHERE a.number IS NOT NULL "
            f"UNION ALL SELECT {found} FROM {by_key} JOIN {table} a ON a.office_id = k.office_id "
            "AND a.year = k.year AND a.register_volume = k.volume AND a.paper_number = k.paper "
            "WHERE a.paper_number <> ''",
            params,
        )
        rows = cursor.fetchall()
    in_register = {(office, year, volume, paper) for office, year, _number, volume, paper in rows if paper}
    numbers_taken = {(office, year, number) for office, year, number, _volume, _paper in rows}
    return in_register, numbers_taken


def _number_the_others(acts: list[dict[str, Any]]) -> None:
    """The acts whose paper number is not plain take their sequence's next numbers, after the paper numbers."""
    by_sequence: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for act in acts:
        if act["number"] is None:
            by_sequence.setdefault((act["office_id"], act["year"]), []).append(act)
    counts = {key: len(group) for key, group in by_sequence.items()}
    for key, last_number in reserve_numbers(ACT_REGISTER, counts).items():
        first = last_number - len(by_sequence[key])
        for offset, act in enumerate(by_sequence[key], start=1):
            act["number"] = first + offset


def _insert_with_idcs(acts: list[dict[str, Any]]) -> None:
    """Each birth loaded gets a new IDCS, drawn again when another load or signature took one meanwhile."""
    births = [act for act in acts if act["kind"] == ActKind.BIRTH]
    for draw in range(1, IDCS_DRAWS + 1):
        for act, idcs in zip(births, unused_idcs(len(births)), strict=True):
            act["idcs"] = idcs
        try:
            with transaction.atomic():
                _insert_rows(acts)
            break
        except IntegrityError as error:
            # Another load or signature may take one of the drawn IDCS between the check and the insert.
            if draw == IDCS_DRAWS or "idcs" not in str(error):
                raise


def _place_of(acts: list[dict[str, Any]]) -> dict[str, Any]:
    """Placed at the office whose register was loaded; a batch of several offices' registers, in the whole
    country."""
    offices = {act["office_id"] for act in acts}
    if len(offices) == 1:
        return {"unit": CivilStatusOffice.objects.get(pk=offices.pop())}
    return {"national": True}


def _insert_rows(acts: list[dict[str, Any]]) -> None:
    if connection.vendor == "postgresql":
        _copy_into_table(acts)
    else:
        Act.objects.bulk_create([Act(**act) for act in acts], batch_size=2000)


def _copy_into_table(acts: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY: several times faster than INSERT for the thousands of rows of a digitised register."""
    columns = ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in LOADED_FIELDS)
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
