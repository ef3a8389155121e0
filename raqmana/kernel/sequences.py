"""Yearly numbering per office, shared by every register that numbers what it records (acts, issued documents;
later permits): each keeps its own sequence model built on `OfficeYearSequenceBase`."""

import json
from typing import Any

from django.db import connection, models


class OfficeYearSequenceBase(models.Model):
    """The last number an office gave in a year. Each subclass names its unique (office, year) constraint."""

    office = models.ForeignKey("territories.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last_number}"


def reserve_numbers(
    sequence_model: type[models.Model], counts_by_sequence: dict[tuple[int, int], int]
) -> dict[tuple[int, int], int]:
    """Reserve `count` numbers in each (office id, year) sequence at once; returns each sequence's new last number.

    One upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) increments and locks the sequence rows until the
    transaction ends. The rows travel as one array parameter: thousands of placeholders cost psycopg more time
    to parse than PostgreSQL takes to run the statement, and overflow SQLite's limit on parameters.
    """
    table = sequence_model._meta.db_table
    sequences = [[office_id, year, count] for (office_id, year), count in sorted(counts_by_sequence.items())]
    if connection.vendor == "postgresql":
        rows = "SELECT * FROM unnest(%s::bigint[], %s::int[], %s::int[])"
        params: list[Any] = [list(column) for column in zip(*sequences, strict=True)]
    else:
        # SQLite reads the rows from JSON; its INSERT ... SELECT needs a WHERE before ON CONFLICT.
        rows = "SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(%s) WHERE true"
        params = [json.dumps(sequences)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (office_id, year, last_number) {rows} "
            f"ON CONFLICT (office_id, year) DO UPDATE SET last_number = {table}.last_number + excluded.last_number "
            "RETURNING office_id, year, last_number",
            params,
        )
        return {(office_id, year): last for office_id, year, last in cursor.fetchall()}


def next_number(sequence_model: type[models.Model], office: models.Model, year: int) -> int:
    """The office's next number for the year, its sequence row locked until the transaction ends."""
    return reserve_numbers(sequence_model, {(office.pk, year): 1})[(office.pk, year)]
