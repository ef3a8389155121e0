"""The database worker that survives outages and takes back the tasks of dead workers (their heartbeat silent), the
periodic scheduler, check_worker."""

import logging
import re
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.tasks import TaskResultStatus, task
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from raqmana.celery import app as celery_app
from raqmana.celery import beat_schedule
from raqmana.kernel import periodic, workers
from raqmana.kernel.models import PeriodicJobRun, WorkerHeartbeat
from raqmana.kernel.tasks import worker_heartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks", "connections_kept")]


@pytest.fixture
def database_tasks():
    with override_settings(
        TASKS=DATABASE_TASKS, RAQMANA_TASK_TIMEOUT=60, RAQMANA_WORKER_SILENCE=60, RAQMANA_TASK_MAX_ATTEMPTS=3
    ):
        yield


@pytest.fixture
def connections_kept(monkeypatch):
    """The worker drops its connections after an outage and between polls; here they hold the test's transaction."""
    monkeypatch.setattr(workers, "close_old_connections", lambda: None)
    monkeypatch.setattr(workers, "forget_connections", lambda: None)


@pytest.fixture
def no_waiting(monkeypatch):
    """The worker's waits (its backoff, its poll interval) cost nothing here; each is counted."""
    waits = []
    monkeypatch.setattr(workers.time, "sleep", waits.append)
    return waits


calls = []


@task
def flaky_database_task(fails):
    """Loses its database the first `fails` times it runs."""
    calls.append(fails)
    if len(calls) <= fails:
        raise OperationalError("server closed the connection unexpectedly")
    return len(calls)


def make_worker(**options):
    defaults = {
        "queue_names": ["default"],
        "excluded_queue_names": [],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
    }
    return workers.RecoveringWorker(**{**defaults, **options})


def running_since(minutes, claims=1, worker=None):
    """A task RUNNING for `minutes`, claimed `claims` times, the last time by `worker` (by default a worker that records
    no heartbeat, as django_tasks_db's db_worker)."""
    result = worker_heartbeat.enqueue("lost").db_result
    result.status = TaskResultStatus.RUNNING
    result.started_at = timezone.now() - timedelta(minutes=minutes)
    result.worker_ids = [f"dead-{number}" for number in range(claims - 1)] + [worker or f"dead-{claims - 1}"]
    result.save()
    return result


def heartbeat(worker_id, seconds_ago=0, stopped=False):
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, host="worker.example", pid=4321, started_at=seen - timedelta(hours=3), last_seen=seen,
        stopped_at=seen if stopped else None,
    )  # fmt: skip


def test_a_task_running_past_the_timeout_is_put_back_and_runs_again():
    stuck = running_since(minutes=2)
    recent = running_since(minutes=0)
    taken = workers.take_back_stuck_tasks()
    assert taken.put_back == [str(stuck.pk)] and taken.given_up == []
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == TaskResultStatus.READY and recent.status == TaskResultStatus.RUNNING
    make_worker(worker_id="second").run()
    stuck.refresh_from_db()
    assert stuck.status == TaskResultStatus.SUCCESSFUL
    assert stuck.worker_ids == ["dead-0", "second"]


def test_a_task_past_its_last_attempt_is_failed_with_an_alert(caplog):
    stuck = running_since(minutes=2, claims=3)
    with caplog.at_level(logging.ERROR, logger="raqmana.alerts"):
        taken = workers.take_back_stuck_tasks()
    assert taken.given_up == [str(stuck.pk)]
    stuck.refresh_from_db()
    assert stuck.status == TaskResultStatus.FAILED
    assert stuck.exception_class_path == "raqmana.kernel.workers.TaskLost"
    assert workers.error_summary(stuck).startswith("raqmana.kernel.workers.TaskLost: Given up after 3 attempts")
    assert [record.levelname for record in caplog.records if record.name == "raqmana.alerts"] == ["ERROR"]
    assert str(stuck.pk) in caplog.text


def test_the_worker_waits_out_a_database_outage_while_polling(monkeypatch, no_waiting, caplog):
    result = worker_heartbeat.enqueue("after the outage").db_result
    claim_next = workers.RecoveringWorker.claim_next
    outages = iter([OperationalError("the database system is shutting down")] * 3)

    def failing_then_claiming(worker):
        if (outage := next(outages, None)) is not None:
            raise outage
        return claim_next(worker)

    monkeypatch.setattr(workers.RecoveringWorker, "claim_next", failing_then_claiming)
    with caplog.at_level(logging.WARNING, logger="raqmana.kernel.workers"):
        make_worker().run()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert no_waiting == [0.5, 1.0, 2.0]
    assert caplog.text.count("Database unavailable while polling for tasks") == 3


def test_the_backoff_is_capped():
    backoff = workers.Backoff(first=1, cap=5)
    assert [backoff.next_delay() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.next_delay() == 1


def test_a_result_that_could_not_be_recorded_is_recorded_once_the_database_is_back(monkeypatch, no_waiting):
    result = worker_heartbeat.enqueue("recorded late").db_result
    set_successful = DBTaskResult.set_successful
    outages = iter([OperationalError("connection refused")] * 2)

    def failing_then_recording(row, value):
        if (outage := next(outages, None)) is not None:
            raise outage
        set_successful(row, value)

    monkeypatch.setattr(DBTaskResult, "set_successful", failing_then_recording)
    make_worker().run()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["sent_at"] == "recorded late"


def test_a_stopped_worker_leaves_an_unrecorded_task_running_for_the_takeback(monkeypatch, no_waiting):
    result = worker_heartbeat.enqueue("never recorded").db_result
    worker = make_worker()

    def outage_then_stop(row, value):
        worker.running = False  # SIGTERM arrived during the outage
        raise OperationalError("connection refused")

    monkeypatch.setattr(DBTaskResult, "set_successful", outage_then_stop)
    worker.run()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING
    assert WorkerHeartbeat.objects.get(worker_id="test-worker").stopped_at is not None
    taken = workers.take_back_stuck_tasks()  # at once: its worker is marked stopped
    assert taken.put_back == [str(result.pk)]
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY


def test_a_task_of_a_live_worker_is_never_taken_back_however_long_it_runs():
    heartbeat("busy", seconds_ago=5)
    long_running = running_since(minutes=240, worker="busy")
    assert workers.take_back_stuck_tasks(now=timezone.now() + timedelta(days=1)).put_back == []
    assert workers.stuck_tasks() == []
    long_running.refresh_from_db()
    assert long_running.status == TaskResultStatus.RUNNING


def test_the_task_of_a_worker_silent_past_the_silence_is_taken_back_at_once(caplog):
    heartbeat("killed", seconds_ago=61)
    heartbeat("alive", seconds_ago=50)
    lost = running_since(minutes=0, worker="killed")
    kept = running_since(minutes=0, worker="alive")
    with caplog.at_level(logging.WARNING, logger="raqmana.kernel.workers"):
        assert workers.take_back_stuck_tasks().put_back == [str(lost.pk)]
    assert "its worker killed silent for more than 60 s (RAQMANA_WORKER_SILENCE)" in caplog.text
    kept.refresh_from_db()
    assert kept.status == TaskResultStatus.RUNNING


def test_a_task_without_heartbeat_is_taken_back_after_the_task_timeout_only():
    young = running_since(minutes=0.5)  # claimed by django_tasks_db's own db_worker, which records no heartbeat
    old = running_since(minutes=2)
    assert workers.take_back_stuck_tasks().put_back == [str(old.pk)]
    [stuck] = workers.stuck_tasks(now=timezone.now() + timedelta(seconds=31))
    assert stuck.result.pk == young.pk and "claimed by a worker that records no heartbeat" in stuck.why


heartbeats_seen = []


@task
def look_at_its_heartbeat():
    row = WorkerHeartbeat.objects.get(worker_id="graceful")
    heartbeats_seen.append((row.stopped_at, row.last_seen >= row.started_at))


def test_the_worker_records_its_heartbeat_and_marks_it_stopped_when_it_stops():
    heartbeats_seen.clear()
    worker = make_worker(worker_id="graceful")
    look_at_its_heartbeat.enqueue()
    worker.run()
    assert heartbeats_seen == [(None, True)]
    row = WorkerHeartbeat.objects.get(worker_id="graceful")
    assert row.stopped_at is not None and row.pid > 0 and row.host
    assert not worker.heartbeat.thread.is_alive()


def test_a_worker_started_again_under_its_id_takes_back_what_its_earlier_run_left():
    heartbeat("fixed-id", stopped=True)
    left = running_since(minutes=0, worker="fixed-id")
    make_worker(worker_id="fixed-id").run()
    left.refresh_from_db()
    assert left.status == TaskResultStatus.SUCCESSFUL and left.worker_ids == ["fixed-id", "fixed-id"]


def test_a_task_claimed_again_meanwhile_is_left_to_its_new_worker(monkeypatch):
    heartbeat("killed", seconds_ago=120)
    heartbeat("new", seconds_ago=1)
    result = running_since(minutes=3, worker="killed")
    stuck_tasks = workers.stuck_tasks

    def scanned_then_claimed_again(*args, **kwargs):
        found = stuck_tasks(*args, **kwargs)
        DBTaskResult.objects.filter(pk=result.pk).update(worker_ids=["killed", "new"], started_at=timezone.now())
        return found

    monkeypatch.setattr(workers, "stuck_tasks", scanned_then_claimed_again)
    assert workers.take_back_stuck_tasks().put_back == []
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING


def test_heartbeats_silent_for_a_week_are_forgotten():
    heartbeat("long gone", seconds_ago=8 * 24 * 3600)
    heartbeat("recently gone", seconds_ago=3600, stopped=True)
    workers.take_back_stuck_tasks()
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recently gone"]


def test_the_heartbeat_thread_outlives_a_database_outage_and_closes_its_connection(monkeypatch, caplog):
    beats = []
    outages = iter([OperationalError("connection refused")] * 2)
    closed = []

    def failing_then_beating(worker_id):
        if (outage := next(outages, None)) is not None:
            raise outage
        beats.append(worker_id)
        if len(beats) == 3:
            beating.stopping.set()

    monkeypatch.setattr(workers, "record_heartbeat", failing_then_beating)
    monkeypatch.setattr(workers.connections, "close_all", lambda: closed.append(threading.current_thread().name))
    beating = workers.Heartbeat("steady")
    beating.interval = 0.01
    with caplog.at_level(logging.INFO, logger="raqmana.kernel.workers"):
        thread = threading.Thread(target=beating.beat_until_stopped, name="beating")
        thread.start()
        thread.join(timeout=5)
    assert not thread.is_alive() and beats == ["steady"] * 3
    assert caplog.text.count("Could not record the heartbeat of worker steady") == 1
    assert caplog.text.count("Heartbeat of worker steady recorded again") == 1
    assert closed == ["beating"] * 3  # after each of the two failures, and when it stops


def test_a_task_that_lost_its_database_runs_again_at_most_the_allowed_times(no_waiting):
    calls.clear()
    recovers = flaky_database_task.enqueue(1).db_result
    make_worker().run()
    recovers.refresh_from_db()
    assert recovers.status == TaskResultStatus.SUCCESSFUL and len(recovers.worker_ids) == 2

    calls.clear()
    never = flaky_database_task.enqueue(10).db_result
    make_worker().run()
    never.refresh_from_db()
    assert never.status == TaskResultStatus.FAILED and len(calls) == 3
    assert "lost its database connection" in never.traceback


def test_a_task_that_fails_is_recorded_failed_once():
    calls.clear()
    result = flaky_database_task.using().enqueue("not a number").db_result
    make_worker().run()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED and len(result.worker_ids) == 1
    assert workers.error_summary(result).startswith("TypeError")


def test_periodic_jobs_are_declared_beside_their_tasks():
    jobs = {job.name: job.interval for job in periodic.periodic_jobs()}
    assert jobs["raqmana.workflows.tasks.run_due_clocks"] == timedelta(minutes=5)
    assert jobs["raqmana.civil_status_documents.tasks.scan_pending_proofs"] == timedelta(minutes=5)
    assert jobs["raqmana.civil_status_documents.tasks.delete_expired_proofs"] == timedelta(days=1)


def test_run_periodic_queues_each_job_once_per_interval():
    names = {job.name for job in periodic.periodic_jobs()}
    out = StringIO()
    call_command("run_periodic", once=True, stdout=out)
    assert {line.removeprefix("Queued ").rstrip(".") for line in out.getvalue().splitlines()} == names
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert sorted(queued.values_list("task_path", flat=True)) == sorted(names)

    # A second scheduler, or the same one before the shortest interval has passed, queues nothing more.
    shortest = min(job.interval for job in periodic.periodic_jobs())
    assert periodic.enqueue_due_jobs() == []
    assert periodic.enqueue_due_jobs(now=timezone.now() + shortest / 2) == []
    later = periodic.enqueue_due_jobs(now=timezone.now() + timedelta(minutes=6))
    # The daily jobs, and the attestations' catch-up every 15 minutes, are not due again six minutes later.
    not_yet_due = {
        "raqmana.civil_status_documents.tasks.delete_expired_proofs",
        "raqmana.procedures.tasks.expire_drafts",
        "raqmana.procedures.tasks.issue_missing_attestations",
    }
    assert {job.name for job in later} == names - not_yet_due


def test_a_job_the_queue_refused_stays_due(monkeypatch):
    monkeypatch.setattr(periodic, "enqueue_now", lambda task: False)
    assert periodic.enqueue_due_jobs() == []
    assert set(PeriodicJobRun.objects.values_list("enqueued_at", flat=True)) == {periodic.NEVER}


def test_celery_acknowledges_late_and_beats_the_declared_jobs():
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert conf.broker_connection_retry_on_startup
    schedule = beat_schedule()
    assert {name: entry["schedule"] for name, entry in schedule.items()} == {
        job.name: job.interval for job in periodic.periodic_jobs()
    }
    assert all(entry["task"] == name for name, entry in schedule.items())


def test_check_worker_reports_stuck_and_failed_tasks_and_fails_without_a_worker():
    calls.clear()
    flaky_database_task.enqueue("not a number")
    make_worker().run()
    running_since(minutes=5)
    heartbeat("busy", seconds_ago=3)
    running_since(minutes=30, worker="busy")
    out = StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("check_worker", timeout=0.3, stdout=out)
    report = out.getvalue()
    assert "1 worker(s) alive (a heartbeat in the last 60 s):" in report
    assert re.search(
        r"busy on worker\.example \(pid 4321\), last heartbeat [34] s ago: "
        r"running raqmana\.kernel\.tasks\.worker_heartbeat",
        report,
    )
    assert "1 task(s) stuck RUNNING" in report and "claimed by a worker that records no heartbeat" in report
    assert "1 task(s) FAILED in the last 24 hours: raqmana.kernel.tests.test_workers.flaky_database_task." in report
    assert "Newest error (raqmana.kernel.tests.test_workers.flaky_database_task): TypeError" in report
    assert "no worker ran the heartbeat" in str(refusal.value) and "1 task(s) stuck" in str(refusal.value)


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}})
def test_check_worker_passes_when_the_worker_answers_and_nothing_is_stuck():
    out = StringIO()
    call_command("check_worker", timeout=1, stdout=out)
    assert "Worker answered through" in out.getvalue()
