"""What every benchmark shares: Django on a scratch database (SQLite by default, DATABASE_URL to choose),
figures printed and written to bench/results/<name>-<database>.json with the machine they were measured on."""

import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RAQMANA_DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raqmana.settings")
_scratch = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_scratch.name}/bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def cpu_reference_ms():
    """The time of one fixed pure-Python workload, best of five, in milliseconds: shared machines run the same code
    at speeds that differ twofold from one day to the next, and this tells how fast the machine was."""
    best = float("inf")
    for _ in range(5):
        begun = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number % 7
        best = min(best, time.perf_counter() - begun)
    return round(best * 1000, 1)


def run_benchmark(name, measure):
    """Run `measure()` (returns a dict of figures) on a fresh test database, then report its figures."""
    settings.DEBUG = False  # as deployed: no log of every query
    setup_test_environment()
    reference = cpu_reference_ms()
    database_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        figures = measure()
    finally:
        connection.creation.destroy_test_db(database_name, verbosity=0)
    figures.update(
        database=connection.vendor,
        python=platform.python_version(),
        machine=f"{platform.machine()}, {os.cpu_count()} cores",
        cpu_reference_ms=reference,
        peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    for label, value in figures.items():
        print(f"{label:40} {value}")
    out = ROOT / "bench" / "results" / f"{name}-{connection.vendor}.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return figures
