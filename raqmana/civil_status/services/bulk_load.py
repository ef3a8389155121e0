"""Bulk loads of digitised paper registers: thousands of acts signed long ago, numbered, given their IDCS and
search keys, and written in one go."""

from collections.abc import Iterable
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
from raqmana.kernel.sequences import reserve_numbers
from raqmana.territories.models import CivilStatusOffice

from .acts import unused_idcs

LOADED_FIELDS = [field for field in Act._meta.concrete_fields if not field.primary_key]


IDCS_DRAWS = 3


@transaction.atomic
def load_historical_acts(rows: Iterable[dict[str, Any]], *, by: User, reason: str) -> int:
    """Load digitised paper acts (signed long ago) in bulk: each gets the next numbers of its office and year,
    a birth its IDCS, and the search keys. One audit event for the batch. Returns how many were loaded.

    Rows are dicts of Act field values; they stay dicts up to the database (no model instance each), which
    is what lets PostgreSQL's COPY take tens of thousands of acts a second.
    """
    now = timezone.now()
    defaults = {field.attname: field.get_default() for field in LOADED_FIELDS}
    acts = []
    for position, row in enumerate(rows, start=1):
        act = {**defaults, **row, "drafted_at": now}
        try:
            act.update(Act.checked_values(act))
            _check_loaded_row(act)
        except ValidationError as error:
            # The row's position names it: a digitised register has no other handle on it yet.
            refusals = {f"{position}.{field}": texts for field, texts in error.message_dict.items()}
            raise ValidationError(refusals) from None
        rules.check_dates(
            kind=act["kind"],
            birth_date=act["birth_date"],
            death_date=act["death_date"],
            declared_on=act["declared_on"],
            mother_birth_date=act["mother_birth_date"],
            father_birth_date=act["father_birth_date"],
        )
        act.update(search_keys(act))
        acts.append(act)
    by_sequence: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for act in acts:
        by_sequence.setdefault((act["office_id"], act["year"]), []).append(act)
    counts = {key: len(group) for key, group in by_sequence.items()}
    for key, last_number in reserve_numbers(ACT_REGISTER, counts).items():
        first = last_number - len(by_sequence[key])
        for offset, act in enumerate(by_sequence[key], start=1):
            act["number"] = first + offset
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
    # Placed at the office whose register was loaded; a batch of several offices' registers, in the whole country.
    offices = {office for office, _year in by_sequence}
    unit = CivilStatusOffice.objects.get(pk=offices.pop()) if len(offices) == 1 else None
    record(
        actor=by,
        action="act.batch_loaded",
        target=by,
        reason=reason,
        details={"acts": len(acts)},
        unit=unit,
        national=unit is None,
    )
    return len(acts)


LOADED_REQUIRED = ["first_name_ar", "family_name_ar", "declarant_name"]


def _check_loaded_row(act: dict[str, Any]) -> None:
    """What a digitised act must carry, as the forms require it; and no link from a death to a birth act, which
    is checked and noted only when an officer signs a death act (check_deceased_birth_act)."""
    errors = {field: [_("This field is required.")] for field in LOADED_REQUIRED if not act[field]}
    if act["birth_act_id"] is not None:
        errors["birth_act_id"] = [_("A digitised death act is linked to the birth act by a marginal mention.")]
    if errors:
        raise ValidationError(errors)


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
