"""Benchmark: the cost of one `audit.services.record()` call (an act read placed at an office), alone in its
transaction, and inside transactions of a few events, as services call it (commits included).

    .venv/bin/python bench/audit_record.py [--events 2000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/audit_record.py

Prints microseconds per call, the SQL statements one call sends (each a round trip to PostgreSQL), and writes
bench/results/audit-record-<database>.json.
"""

import argparse
import inspect
import time

from harness import run_benchmark


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    options = parser.parse_args()
    run_benchmark("audit-record", lambda: run(options.events))


PER_TRANSACTION = 4  # signing a death act records four events


def run(count):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from raqmana.accounts.models import User
    from raqmana.audit.services import record
    from raqmana.territories.models import AdministrativeUnit, Territory
    from raqmana.territories.services import import_territories

    import_territories()
    office = AdministrativeUnit.objects.select_related("territory").first()
    reader = User.objects.create_user(email="reader@example.ma", password="x", full_name="Reader")
    target = Territory.objects.first()
    place = "unit" if "unit" in inspect.signature(record).parameters else "office"

    def one(number):
        record(actor=reader, action="act.read", target=target, reason=f"read {number}", **{place: office})

    for number in range(100):  # warm up
        one(number)
    with transaction.atomic(), CaptureQueriesContext(connection) as statements:  # BEGIN and COMMIT left out
        one(0)
    started = time.perf_counter()
    for number in range(count):
        one(number)
    alone = time.perf_counter() - started
    started = time.perf_counter()
    for first in range(0, count, PER_TRANSACTION):
        with transaction.atomic():
            for number in range(first, first + PER_TRANSACTION):
                one(number)
    inside = time.perf_counter() - started
    return {
        "events": count,
        "statements_per_record": len(statements),
        "record_alone_us": round(alone / count * 1e6, 1),
        f"record_{PER_TRANSACTION}_a_transaction_us": round(inside / count * 1e6, 1),
    }


if __name__ == "__main__":
    main()
