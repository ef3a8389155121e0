"""The fault-injection harness: real worker processes on the test database, killed mid-task, cut off from it.

Every test under tests/faults/ is marked `faults`. Worker processes share the test database, which on SQLite lives
in the test process's memory: the tests that start them ask for `subprocess_database_url`, which skips them on
SQLite; CI runs them on PostgreSQL. Test-only tasks are in tests/faults/tasks.py (a worker imports them from the
repository's root, its working directory)."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
POSTGRESQL_ONLY = (
    "worker processes share the test database, which on SQLite is in this process's memory: CI runs the fault "
    "tests on PostgreSQL (.ci/run, 'Suite on PostgreSQL')"
)
BROKER = ("127.0.0.1", 5672)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.faults)


def wait_for(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.1) -> float:
    """Poll `condition` until it is true; returns the seconds it took, fails the test after `timeout`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"Waited {timeout:g} s for {what}.")
        time.sleep(interval)
    return time.monotonic() - start


@pytest.fixture
def wait_until() -> Callable[..., float]:
    return wait_for


@pytest.fixture
def subprocess_database_url(transactional_db: None) -> Callable[[str], str]:
    """The URL of this test's database for a subprocess, naming the connection `application_name` (so that
    `terminate_connections` finds it); skips on SQLite."""
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRESQL_ONLY)
    database = connection.settings_dict

    def url(application_name: str) -> str:
        credentials = quote(database["USER"]) + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else "")
        return (
            f"postgres://{credentials}@{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/"
            f"{database['NAME']}?application_name={application_name}"
        )

    return url


@pytest.fixture
def terminate_connections() -> Callable[[str], int]:
    """Terminate every database connection of a process by its application name; returns how many there were."""

    def terminate(application_name: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> pg_backend_pid()",
                [application_name],
            )
            return cursor.fetchone()[0]

    return terminate


@pytest.fixture
def connections_of() -> Callable[[str], int]:
    def count(application_name: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name])
            return cursor.fetchone()[0]

    return count


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen
    log_path: Path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is recorded."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM, the graceful stop: the running task finishes first."""
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()


def _start(command: list[str], name: str, env: dict[str, str], folder: Path) -> WorkerProcess:
    log_path = folder / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return WorkerProcess(name, process, log_path)


def _environment(database_url: str, **settings: str) -> dict[str, str]:
    # Persistent connections, as a deployment keeps them: terminating them is then an outage the worker meets.
    return {**os.environ, "RAQMANA_DEBUG": "1", "DATABASE_URL": database_url, "DATABASE_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "INFO", **settings}  # fmt: skip


@pytest.fixture
def database_tasks() -> Iterator[None]:
    """This process queues on the database backend, as the worker processes read it."""
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database):
        yield


@pytest.fixture
def db_worker(subprocess_database_url, database_tasks, tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `manage.py run_worker` processes on the test database: `db_worker(task_timeout=3)`, whose tasks are
    taken back once it has been silent (`silence`, by default `task_timeout`) seconds; each is stopped (SIGKILL if it
    does not stop) at the end of the test."""
    started: list[WorkerProcess] = []

    def start(task_timeout: int = 3, silence: int | None = None, **settings: str) -> WorkerProcess:
        name = f"faults-db-worker-{uuid.uuid4().hex[:8]}"
        env = _environment(subprocess_database_url(name), TASKS_BACKEND="database",
                           RAQMANA_TASK_TIMEOUT=str(task_timeout),
                           RAQMANA_WORKER_SILENCE=str(silence or task_timeout), **settings)  # fmt: skip
        command = [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1",
                   "--worker-id", name]  # fmt: skip
        worker = _start(command, name, env, tmp_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(timeout=5)


def broker_answers() -> bool:
    try:
        socket.create_connection(BROKER, timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def celery_queue() -> Iterator[str]:
    """A queue of its own for this test, so that messages another run left on the broker never mix with its own;
    this process queues on Celery; the queue is deleted after the test."""
    if not broker_answers():
        pytest.skip("no RabbitMQ on 127.0.0.1:5672 (CI starts one)")
    from raqmana.celery import app

    queue = f"faults-{uuid.uuid4().hex[:12]}"
    celery = {
        "default": {
            "BACKEND": "django_tasks_celery.CeleryBackend",
            "QUEUES": [],  # any queue: the test's own
            "OPTIONS": {"CELERY_APP": "raqmana.celery.app"},
        }
    }
    with override_settings(TASKS=celery):
        yield queue
    with app.connection_for_write() as broker:
        broker.default_channel.queue_delete(queue)


@pytest.fixture
def celery_worker(subprocess_database_url, celery_queue, tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start a Celery worker (prefork pool, one child) consuming the test's own queue, the test-only tasks
    imported; stopped at the end of the test."""
    started: list[WorkerProcess] = []

    def start(**settings: str) -> WorkerProcess:
        name = f"faults-celery-{uuid.uuid4().hex[:8]}"
        env = _environment(subprocess_database_url(name), TASKS_BACKEND="celery", **settings)
        command = [sys.executable, "-m", "celery", "-A", "raqmana", "worker", "--pool=prefork", "--concurrency=1",
                   "-Q", celery_queue, "-n", f"{name}@%h", "--include", "tests.faults.tasks", "--loglevel=INFO",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        worker = _start(command, name, env, tmp_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(timeout=10)


@pytest.fixture
def markers(tmp_path) -> Path:
    """The folder where a test task notes each of its starts and waits for its release (tests/faults/tasks.py)."""
    folder = tmp_path / f"run-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    return folder
