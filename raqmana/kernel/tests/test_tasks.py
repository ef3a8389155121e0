"""Background work through django.tasks: in-process here, the database worker by default, Celery on the broker."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import override_settings

from raqmana.kernel.tasks import worker_heartbeat

ROOT = Path(__file__).resolve().parents[3]


def test_tests_run_tasks_in_process():
    result = worker_heartbeat.enqueue("now")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["sent_at"] == "now"


# Transactional: the worker closes its database connection when it stops, as a real worker does.
@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_until_the_worker_runs():
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database):
        result = worker_heartbeat.enqueue("queued")
        assert result.status == TaskResultStatus.READY
        call_command("db_worker", batch=True, interval=0, verbosity=0)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value["sent_at"] == "queued"


def broker_answers():
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.broker
@pytest.mark.skipif(not broker_answers(), reason="no AMQP broker on 127.0.0.1:5672")
def test_celery_worker_runs_a_task_from_the_broker():
    env = {**os.environ, "TASKS_BACKEND": "celery", "RAQMANA_DEBUG": "1", "DATABASE_URL": "sqlite://:memory:"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "raqmana", "worker", "--pool=solo", "--concurrency=1", "-Q", "celery",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        check = subprocess.run(
            [sys.executable, "manage.py", "check_worker", "--timeout", "60"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=90,
        )  # fmt: skip
    finally:
        worker.terminate()
        worker_output = worker.communicate(timeout=30)[0]
    assert check.returncode == 0, check.stderr + worker_output
    assert "celery backend" in check.stdout and "ran_at" in check.stdout
