"""Reconciliation: the provider's statement compared with the records. Every difference is reported and kept
(ReconciliationRun), for the Treasury's accounts to be checked against what the platform says was paid."""

import csv
import io
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from raqmana.audit.services import record

from .constants import DifferenceKind, RefundState, StatementState
from .models import Payment, ReconciliationDifference, ReconciliationRun, Refund
from .providers import StatementLine, parse_amount, parse_currency

STATEMENT_COLUMNS = ("reference", "amount", "currency", "state", "date")
JSON_TYPES = {dict: "an object", list: "a list", bool: "true or false"}


def read_statement(text):
    """The lines of a statement: a JSON list of objects, or CSV with a header, each with the columns
    STATEMENT_COLUMNS (amount "2.00", state "paid" or "refunded", date "2026-11-27"). Raises ValueError saying
    which line is wrong."""
    rows = _json_rows(text) if text.lstrip().startswith(("[", "{")) else _csv_rows(text)
    lines = []
    for number, row in enumerate(rows, start=1):
        missing = [column for column in STATEMENT_COLUMNS if row.get(column) in (None, "")]
        if missing:
            raise ValueError(f"Line {number}: missing {', '.join(missing)}.")
        try:
            lines.append(
                StatementLine(
                    reference=row["reference"].strip(),
                    amount=parse_amount(row["amount"]),
                    currency=parse_currency(row["currency"]),
                    state=StatementState(row["state"].strip().lower()),
                    date=date.fromisoformat(row["date"].strip()[:10]),
                )
            )
        except ValueError as error:
            raise ValueError(f"Line {number}: {error}") from error
    return lines


def _json_rows(text):
    """A JSON statement's objects, each column a text (the amount may be a number, read as an exact decimal)."""
    try:
        rows = json.loads(text, parse_float=Decimal)
    except RecursionError as error:  # arrays or objects nested thousands deep
        raise ValueError("Not valid JSON: nested too deep.") from error
    except ValueError as error:  # invalid, or an integer too long to read
        raise ValueError(f"Not valid JSON: {error}") from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ValueError("A JSON statement is a list of objects.")
    for number, row in enumerate(rows, start=1):
        for column in STATEMENT_COLUMNS:
            value = row.get(column)
            if value is not None and not isinstance(value, str) and not (column == "amount" and _is_number(value)):
                found = JSON_TYPES.get(type(value), "a number")
                raise ValueError(f"Line {number}: the {column} is not a text but {found}.")
    return rows


def _is_number(value):
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _csv_rows(text):
    """A CSV statement's rows, each with as many values as the header has columns."""
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as error:  # a field over the csv module's size limit
        raise ValueError(f"Not valid CSV: {error}") from error
    for number, row in enumerate(rows, start=1):
        if None in row:  # DictReader keeps the values past the header's columns under None
            raise ValueError(f"Line {number}: more values than the header has columns.")
    return rows


@transaction.atomic
def reconcile(lines, *, date_from, date_to, source):
    """Compare the provider's lines with the payments and refunds recorded, and record the run and its
    differences: money taken at the provider and not recorded here, or recorded here and not at the provider,
    in the period; a sum or currency that differs; a refund at one side only, or of another sum."""
    at_provider = defaultdict(list)
    for line in lines:
        at_provider[line.reference, line.state].append(line)
    references = {reference for reference, _state in at_provider}
    in_period = {"paid_at__date__range": (date_from, date_to)}
    references |= set(Payment.objects.filter(**in_period).values_list("reference", flat=True))
    references |= set(
        Refund.objects.filter(state=RefundState.CONFIRMED, confirmed_at__date__range=(date_from, date_to)).values_list(
            "payment__reference", flat=True
        )
    )
    payments = Payment.objects.select_related("refund").in_bulk(references, field_name="reference")
    run = ReconciliationRun.objects.create(source=source[:300], date_from=date_from, date_to=date_to, lines=len(lines))
    differences = []
    for reference in sorted(references):
        payment = payments.get(reference)
        for kind, recorded, provider_says in _differences(
            payment, at_provider[reference, StatementState.PAID], at_provider[reference, StatementState.REFUNDED],
            date_from, date_to,
        ):  # fmt: skip
            differences.append(
                ReconciliationDifference(
                    run=run,
                    kind=kind,
                    reference=reference,
                    payment=payment,
                    recorded=recorded,
                    at_provider=provider_says,
                )
            )
    ReconciliationDifference.objects.bulk_create(differences)
    record(
        actor=None,
        action="payment.reconciled",
        target=run,
        details={"lines": len(lines), "differences": len(differences)},
        national=True,
    )
    return run


def _differences(payment, paid_lines, refunded_lines, date_from, date_to):
    """(kind, recorded here, at the provider) for one reference: sums as text ("2.00 MAD"), or the state recorded
    here when no money is."""
    received = payment is not None and payment.paid_at is not None
    taken = _total(paid_lines)
    if paid_lines and not received:
        yield DifferenceKind.MISSING_HERE, payment.state if payment else "", taken
    elif received and not paid_lines and _within(payment.paid_at, date_from, date_to):
        yield DifferenceKind.MISSING_AT_PROVIDER, _money(payment.received_amount, payment.received_currency), ""
    elif received and paid_lines and taken != _money(payment.received_amount, payment.received_currency):
        yield DifferenceKind.AMOUNT_MISMATCH, _money(payment.received_amount, payment.received_currency), taken
    money_back = getattr(payment, "refund", None) if payment is not None else None
    confirmed = money_back is not None and money_back.state == RefundState.CONFIRMED
    given = _total(refunded_lines)
    if refunded_lines and not confirmed:
        yield DifferenceKind.REFUND_MISMATCH, money_back.state if money_back else "", given
    elif confirmed and not refunded_lines and _within(money_back.confirmed_at, date_from, date_to):
        yield DifferenceKind.REFUND_MISMATCH, _money(money_back.amount, money_back.currency), ""
    elif confirmed and refunded_lines and given != _money(money_back.amount, money_back.currency):
        yield DifferenceKind.REFUND_MISMATCH, _money(money_back.amount, money_back.currency), given


def _money(amount, currency):
    return f"{amount:.2f} {currency}"


def _total(lines):
    """The sum of lines per currency, as text ("4.00 MAD"): a reference paid twice shows as twice the sum."""
    sums = defaultdict(Decimal)
    for line in lines:
        sums[line.currency] += line.amount
    return " + ".join(_money(amount, currency) for currency, amount in sorted(sums.items()))


def _within(moment, date_from, date_to):
    return date_from <= timezone.localdate(moment) <= date_to
