"""A load of a digitised register killed mid-batch (SIGKILL: no cleanup, no rollback sent) and run again writes
every act exactly once: the batches committed stay, the one killed leaves nothing, and the second run skips the
first and loads the rest."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status.models import Act
from raqmana.civil_status.synthetic import ActGenerator
from raqmana.civil_status.tests.test_load_register import write_register
from raqmana.territories.constants import Level
from raqmana.territories.models import CivilStatusOffice, Territory

ROOT = Path(__file__).resolve().parents[2]
ACTS = 4000
BATCH = 250
LOADER = "loader@faults.example.org"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="CI runs it on PostgreSQL: the command runs in another process, which SQLite's in-memory test database "
    "does not reach",
)


def database_url():
    """The current test database, for the command's process."""
    settings = connection.settings_dict
    user, host, port = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def load_register(path):
    env = {**os.environ, "RAQMANA_DEBUG": "1", "DATABASE_URL": database_url()}
    command = [sys.executable, "manage.py", "load_register", str(path), "--by", LOADER, "--reason", "Digitising",
               "--batch-size", str(BATCH)]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def loading_a_batch():
    """Whether the command's connection is inside a transaction (a batch being loaded) and has written acts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0] > 0


def test_a_load_killed_mid_batch_then_run_again_holds_every_act_once(territories_in_transactional_db, tmp_path):
    loader = UserFactory(email=LOADER)
    offices = dict(CivilStatusOffice.objects.filter(territory__level=Level.COMMUNE).values_list("territory_id", "pk"))
    communes = list(Territory.objects.filter(level=Level.COMMUNE, code__startswith="04.501."))  # Skhirate-Témara
    generator = ActGenerator(communes, offices, seed=13)
    rows = [generator.birth(loader.pk) for _ in range(ACTS)]
    for row in rows[::97]:  # bis acts, loaded after the plain numbers, numbered by the sequences
        row["paper_number"] += " مكرر"
    register = write_register(tmp_path / "register.csv", rows)

    first = load_register(register)
    try:
        deadline = time.monotonic() + 120
        while not (Act.objects.count() >= 2 * BATCH and loading_a_batch()):
            assert first.poll() is None, "the load ended before it could be killed:\n" + first.communicate()[1]
            assert time.monotonic() < deadline, "the load committed no two batches in two minutes"
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        first.kill()
    killed_at = Act.objects.count()
    assert killed_at < ACTS and killed_at % BATCH == 0  # whole batches only: the killed one left nothing

    second = load_register(register)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    # "Done. Loaded: N; already in the register: M; repeated in the file: 0." in the language of the settings
    assert re.findall(r"\d+", out.splitlines()[-1]) == [str(ACTS - killed_at), str(killed_at), "0"]

    assert Act.objects.count() == ACTS
    keys = Act.objects.values("office", "year", "register_volume", "paper_number")
    assert keys.distinct().count() == ACTS
    assert Act.objects.values("idcs").distinct().count() == ACTS
    assert not Act.objects.values("office", "year", "number").annotate(acts=Count("pk")).filter(acts__gt=1).exists()
    loaded = set(keys.values_list("office", "year", "register_volume", "paper_number"))
    assert loaded == {(row["office_id"], row["year"], row["register_volume"], row["paper_number"]) for row in rows}
    print(f"killed after {killed_at} acts committed; the second run loaded {ACTS - killed_at}, skipped {killed_at}")
