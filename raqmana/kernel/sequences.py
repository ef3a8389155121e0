"""Yearly numbering by (register, unit, year), shared by every register that numbers what it records (acts, issued
documents; later permits, mail): one `Sequence` row per register, unit and year keeps the last number given."""

import json
from typing import Any

from django.db import connection, models


class Sequence(models.Model):
    """The last number a unit gave in a register in a year; locked while a number is being taken."""

    register = models.CharField(max_length=60)
    unit = models.ForeignKey("territories.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "unit", "year"], name="one_sequence_per_register_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.register} {self.unit_id}/{self.year}: {self.last_number}"


def reserve_numbers(register: str, counts_by_sequence: dict[tuple[int, int], int]) -> dict[tuple[int, int], int]:
    """Reserve `count` numbers of `register` in each (unit id, year) sequence at once; returns each sequence's new
    last number.

    One upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) increments and locks the sequence rows until the
    transaction ends. The rows travel as one array parameter: thousands of placeholders cost psycopg more time
    to parse than PostgreSQL takes to run the statement, and overflow SQLite's limit on parameters.
    """
    return _upsert(register, counts_by_sequence, "{table}.last_number + excluded.last_number")


def raise_numbers(register: str, floors_by_sequence: dict[tuple[int, int], int]) -> dict[tuple[int, int], int]:
    """Raise each (unit id, year) sequence of `register` to at least its floor (a number given elsewhere, such as
    a paper register's, which the sequence must never give again); returns each sequence's last number.

    One upsert, as `reserve_numbers`, which also locks the sequence rows until the transaction ends.
    """
    larger = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return _upsert(register, floors_by_sequence, larger + "({table}.last_number, excluded.last_number)")


def _upsert(register: str, values_by_sequence: dict[tuple[int, int], int], update: str) -> dict[tuple[int, int], int]:
    """Insert each (unit id, year) sequence with its value as last number, or set `update` where it exists."""
    table = Sequence._meta.db_table
    sequences = [[unit_id, year, value] for (unit_id, year), value in sorted(values_by_sequence.items())]
    if not sequences:
        return {}
    if connection.vendor == "postgresql":
        rows = "SELECT %s, * FROM unnest(%s::bigint[], %s::int[], %s::int[])"
        params: list[Any] = [register, *[list(column) for column in zip(*sequences, strict=True)]]
    else:
        # SQLite reads the rows from JSON; its INSERT ... SELECT needs a WHERE before ON CONFLICT.
        rows = "SELECT %s, value ->> 0, value ->> 1, value ->> 2 FROM json_each(%s) WHERE true"
        params = [register, json.dumps(sequences)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (register, unit_id, year, last_number) {rows} "
            f"ON CONFLICT (register, unit_id, year) DO UPDATE SET last_number = {update.format(table=table)} "
            "RETURNING unit_id, year, last_number",
            params,
        )
        return {(unit_id, year): last for unit_id, year, last in cursor.fetchall()}


def next_number(register: str, unit: models.Model, year: int) -> int:
    """The unit's next number in `register` for the year, its sequence row locked until the transaction ends."""
    return reserve_numbers(register, {(unit.pk, year): 1})[(unit.pk, year)]
