"""`manage.py reconcile_payments` compares the provider's statement (its API, or a CSV or JSON file) with the
records, reports and records every difference, and exits with an error status when there is one."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from raqmana.audit.models import AuditEvent
from raqmana.payments import services
from raqmana.payments.constants import DifferenceKind, StatementState
from raqmana.payments.models import ReconciliationRun, SimulatedGatewayEntry
from raqmana.payments.providers import Outcome, SimulatedProvider
from raqmana.payments.reconciliation import read_statement

from .conftest import new_payment, paid_payment

pytestmark = pytest.mark.django_db


def reconcile(*arguments):
    """The command's output, and its exit status."""
    out = StringIO()
    try:
        call_command("reconcile_payments", *arguments, stdout=out)
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def today():
    return f"{timezone.localdate():%Y-%m-%d}"


@pytest.fixture
def each_kind_of_difference(payer, heard, django_capture_on_commit_callbacks):
    """One payment in agreement, and one for each kind of difference; returns their references by kind."""
    gateway = SimulatedProvider()
    paid_payment(payer)  # in agreement
    lost_answer = new_payment(payer)
    gateway.answer(lost_answer, True)  # the gateway took the money; its answer never arrived
    unknown_to_gateway = new_payment(payer)
    services.settle(Outcome(unknown_to_gateway.reference, True, Decimal("2.00"), "MAD", "GW-NOT-BOOKED"))
    other_sum = paid_payment(payer)
    SimulatedGatewayEntry.objects.filter(reference=other_sum.reference).update(amount=Decimal("20.00"))
    refunded_there_only = paid_payment(payer)
    gateway.refund(refunded_there_only, amount=Decimal("2.00"), currency="MAD", idempotency_key="manual-1")
    refunded_here_only = paid_payment(payer)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund(refunded_here_only, by=None, reason="Order refused")
    SimulatedGatewayEntry.objects.filter(reference=refunded_here_only.reference, state="refunded").delete()
    return {
        (DifferenceKind.MISSING_HERE, lost_answer.reference, "pending", "2.00 MAD"),
        (DifferenceKind.MISSING_AT_PROVIDER, unknown_to_gateway.reference, "2.00 MAD", ""),
        (DifferenceKind.AMOUNT_MISMATCH, other_sum.reference, "2.00 MAD", "20.00 MAD"),
        (DifferenceKind.REFUND_MISMATCH, refunded_there_only.reference, "", "2.00 MAD"),
        (DifferenceKind.REFUND_MISMATCH, refunded_here_only.reference, "2.00 MAD", ""),
    }


LINE = {"reference": "RQP-1", "amount": "2.00", "currency": "MAD", "state": "paid", "date": "2026-11-27"}


def recorded(run):
    return {(d.kind, d.reference, d.recorded, d.at_provider) for d in run.differences.all()}


def test_the_providers_api_is_compared_and_each_difference_recorded(each_kind_of_difference):
    output, status = reconcile("--from", today(), "--to", today())
    run = ReconciliationRun.objects.get()
    assert status == 1 and "5 differences" in output
    assert recorded(run) == each_kind_of_difference and run.source == "simulated API"
    for kind, reference, *_amounts in each_kind_of_difference:
        assert f"{kind}\t{reference}" in output
    assert AuditEvent.objects.get(action="payment.reconciled").details == {"lines": run.lines, "differences": 5}


@pytest.mark.parametrize("form", ["csv", "json"])
def test_a_statement_file_is_compared(each_kind_of_difference, tmp_path, form):
    lines = [
        {"reference": line.reference, "amount": f"{line.amount}", "currency": line.currency, "state": line.state,
         "date": f"{line.date:%Y-%m-%d}"}
        for line in SimulatedProvider().statement(timezone.localdate(), timezone.localdate())
    ]  # fmt: skip
    lines.append({"reference": "RQP-NEVERHEARDOF", "amount": "5.00", "currency": "MAD", "state": "paid",
                  "date": today()})  # fmt: skip
    statement = tmp_path / f"statement.{form}"
    if form == "json":
        statement.write_text(json.dumps(lines))
    else:
        header = "reference,amount,currency,state,date\n"
        statement.write_text(header + "".join(",".join(line.values()) + "\n" for line in lines))
    _output, status = reconcile("--statement", str(statement))
    assert status == 1
    unknown = (DifferenceKind.MISSING_HERE, "RQP-NEVERHEARDOF", "", "5.00 MAD")
    assert recorded(ReconciliationRun.objects.get()) == each_kind_of_difference | {unknown}


def test_records_in_agreement_exit_cleanly(payer, heard, django_capture_on_commit_callbacks):
    paid_payment(payer)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund(paid_payment(payer), by=None, reason="Order refused")
    paid_payment(payer, amount=Decimal("1.00"))  # a short payment, booked alike on both sides
    output, status = reconcile("--from", today(), "--to", today())
    assert status == 0 and "4 statement lines" in output and "0 differences" in output
    assert not ReconciliationRun.objects.get().differences.exists()


def test_a_payment_outside_the_period_is_not_a_difference(payer, heard):
    payment = new_payment(payer)
    services.settle(Outcome(payment.reference, True, Decimal("2.00"), "MAD", "GW-NOT-BOOKED"))
    _output, status = reconcile("--from", "2020-01-01", "--to", "2020-01-31")
    assert status == 0


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("reference,amount,currency,state,date\nRQP-1,2.00,MAD,paid,\n", "Line 1: missing date"),
        ("reference,amount,currency,state,date\nRQP-1,2.5.0,MAD,paid,2026-11-27\n", "Line 1: Not an amount"),
        ("reference,amount,currency,state,date\nRQP-1,2.00,MAD,lost,2026-11-27\n", "Line 1: 'lost' is not a valid"),
        ('[{"reference": "RQP-1", "amount": 2.001}]', "Line 1: missing currency, state, date"),
        ("[1, 2]", "a list of objects"),
        ("reference,amount\n", "Give --statement FILE, or --from and --to"),
        ("[" * 100_000 + "]" * 100_000, "Not valid JSON: nested too deep"),
        ('[{"amount": ' + "9" * 5000 + "}]", "Not valid JSON: Exceeds the limit"),
        ("reference,amount,currency,state,date\nRQP-1,2.00,MAD,paid,2026-11-27,RQP-2\n", "Line 1: more values than"),
        ("reference,amount,currency,state,date\nRQP-1," + "9" * 200_000 + ",MAD,paid,2026-11-27\n", "Not valid CSV"),
        ("reference,amount,currency,state,date\nRQP-1,1e30,MAD,paid,2026-11-27\n", "Line 1: Not an amount: '1e30'"),
        ("reference,amount,currency,state,date\nRQP-1,2.00,ＭＡＤ,paid,2026-11-27\n", "Line 1: Not a currency"),
        (json.dumps([{**LINE, "reference": {"id": "RQP-1"}}]), "Line 1: the reference is not a text but an object"),
        (json.dumps([{**LINE, "state": ["paid"]}]), "Line 1: the state is not a text but a list"),
        (json.dumps([{**LINE, "amount": True}]), "Line 1: the amount is not a text but true or false"),
        (
            '[{"reference": "RQP-1", "amount": 1e999999999, "currency": "MAD", "state": "paid", "date": "2026-11-27"}]',
            "Line 1: Not an amount",
        ),
    ],
)
def test_a_wrong_statement_is_refused_plainly(tmp_path, content, said, db):
    statement = tmp_path / "statement.csv"
    statement.write_text(content)
    output, status = reconcile("--statement", str(statement))
    assert status == 1 and said in output and not ReconciliationRun.objects.exists()


def test_a_missing_file_or_period_is_refused_plainly(tmp_path, db):
    assert "No such file" in reconcile("--statement", str(tmp_path / "none.csv"))[0]
    assert "Give --statement FILE" in reconcile("--from", today())[0]
    assert "--from is after --to" in reconcile("--from", "2026-02-01", "--to", "2026-01-01")[0]


def test_the_simulated_statement_lists_what_the_gateway_took_and_gave_back(payer, heard):
    payment = paid_payment(payer)
    SimulatedProvider().refund(payment, amount=Decimal("2.00"), currency="MAD", idempotency_key="k")
    lines = SimulatedProvider().statement(timezone.localdate(), timezone.localdate())
    assert [(line.reference, line.state, line.amount) for line in lines] == [
        (payment.reference, StatementState.PAID, Decimal("2.00")),
        (payment.reference, StatementState.REFUNDED, Decimal("2.00")),
    ]


def test_json_numbers_are_read_as_exact_decimals():
    [line] = read_statement('[{"reference": "RQP-1", "amount": 2.10, "currency": "mad", "state": "PAID", '
                            '"date": "2026-11-27T10:00:00+01:00"}]')  # fmt: skip
    assert (line.amount, line.currency, line.state, f"{line.date}") == (Decimal("2.10"), "MAD", "paid", "2026-11-27")
