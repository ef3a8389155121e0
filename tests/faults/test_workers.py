"""Workers killed mid-task and cut off from the database: every task still runs to its end, once."""

import os
import signal
import subprocess
import sys
import time

from django.tasks import TaskResultStatus

from raqmana.kernel.models import WorkerHeartbeat
from tests.faults.conftest import ROOT
from tests.faults.tasks import receipts, record_run, starts


def ended(result) -> bool:
    result.refresh()
    return result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def test_a_database_worker_killed_mid_task_is_taken_back_by_another(db_worker, markers, wait_until):
    first = db_worker(task_timeout=3)
    result = record_run.enqueue(str(markers))
    wait_until(lambda: starts(markers), 20, "the first worker to start the task")
    first.kill()
    (markers / "release").touch()
    killed_at = time.monotonic()

    second = db_worker(task_timeout=3)
    wait_until(lambda: len(starts(markers)) == 2, 30, "the task taken back and started again")
    taken_back_after = time.monotonic() - killed_at
    wait_until(lambda: ended(result), 30, "the task to complete")
    print(f"\ndb worker SIGKILLed mid-task: started {len(starts(markers))} times, completed {receipts(markers)} "
          f"time(s); started again {taken_back_after:.1f} s after the kill (silence 3 s, the second worker started "
          "after the kill)")  # fmt: skip
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids == [first.name, second.name]
    assert len(starts(markers)) == 2 and receipts(markers) == 1
    assert f"its worker {first.name} silent for more than 3 s" in second.log()


def test_a_task_running_long_past_the_silence_is_not_taken_back_while_its_worker_lives(db_worker, markers, wait_until):
    first = db_worker(task_timeout=2)
    result = record_run.enqueue(str(markers))
    wait_until(lambda: starts(markers), 20, "the first worker to start the task")
    second = db_worker(task_timeout=2)  # polls and scans for stuck tasks every 0.5 s meanwhile
    wait_until(lambda: WorkerHeartbeat.objects.filter(worker_id=second.name).exists(), 20, "the second worker")
    time.sleep(8)  # four silences, four times the task timeout
    (markers / "release").touch()
    wait_until(lambda: ended(result), 20, "the task to complete")
    first.stop()
    heartbeats = {row.worker_id: row for row in WorkerHeartbeat.objects.all()}
    print(f"\na task running 8 s past a 2 s silence: started {len(starts(markers))} time(s), completed "
          f"{receipts(markers)} time(s); worker stopped gracefully marked stopped: "
          f"{heartbeats[first.name].stopped_at is not None}")  # fmt: skip
    assert result.status == TaskResultStatus.SUCCESSFUL and result.worker_ids == [first.name]
    assert len(starts(markers)) == 1 and receipts(markers) == 1
    assert heartbeats[first.name].stopped_at is not None and heartbeats[second.name].stopped_at is None


def test_a_celery_pool_child_killed_mid_task_gets_the_message_again(celery_worker, celery_queue, markers, wait_until):
    worker = celery_worker()
    record_run.using(queue_name=celery_queue).enqueue(str(markers))
    wait_until(lambda: starts(markers), 30, "the Celery worker to start the task")
    child = starts(markers)[0]
    os.kill(child, signal.SIGKILL)
    (markers / "release").touch()
    waited = wait_until(lambda: receipts(markers), 30, "the message delivered again and the task completed")
    pids = starts(markers)
    print(f"\nCelery pool child SIGKILLed mid-task: started {len(pids)} times (children {pids}), completed "
          f"{receipts(markers)} time(s), {waited:.1f} s after the kill")  # fmt: skip
    assert len(pids) == 2 and pids[1] != child and receipts(markers) == 1
    assert worker.alive


def test_the_worker_survives_its_connections_being_terminated(
    db_worker, markers, tmp_path, wait_until, terminate_connections, connections_of
):
    worker = db_worker(task_timeout=60)
    wait_until(lambda: connections_of(worker.name), 20, "the worker to connect")

    # Between tasks: the worker meets the terminated connection at its next poll, waits, connects again.
    assert terminate_connections(worker.name) >= 1
    idle = tmp_path / "idle"
    idle.mkdir()
    (idle / "release").touch()
    record_run.enqueue(str(idle))
    wait_until(lambda: receipts(idle), 20, "a task after the connections were terminated")

    # During a task: its write fails on the terminated connection, the task is put back and runs again.
    busy = record_run.enqueue(str(markers))
    wait_until(lambda: starts(markers), 20, "the second task to start")
    terminated = terminate_connections(worker.name)
    (markers / "release").touch()
    wait_until(lambda: receipts(markers), 20, "the interrupted task run again")
    # The task writes its receipt, then the worker records its result: wait for the record too.
    wait_until(lambda: busy.refresh() or busy.status != TaskResultStatus.RUNNING, 20, "the task's result recorded")
    print(f"\nconnections terminated twice ({terminated} mid-task): worker alive {worker.alive}; the interrupted task "
          f"started {len(starts(markers))} times, completed {receipts(markers)} time(s)")  # fmt: skip
    assert worker.alive
    assert busy.status == TaskResultStatus.SUCCESSFUL
    assert receipts(idle) == 1 and receipts(markers) == 1 and len(starts(markers)) == 2
    assert "Database unavailable while" in worker.log() and "lost its database connection" in worker.log()


def test_check_worker_reports_a_stuck_task_and_exits_non_zero(db_worker, markers, wait_until, subprocess_database_url):
    killed = db_worker(task_timeout=600)
    stuck = record_run.enqueue(str(markers))
    wait_until(lambda: starts(markers), 20, "the task to start")
    killed.kill()
    db_worker(task_timeout=600)  # answers the heartbeat, leaves the stuck task alone
    time.sleep(1)

    env = {**os.environ, "RAQMANA_DEBUG": "1", "TASKS_BACKEND": "database", "RAQMANA_WORKER_SILENCE": "1",
           "DATABASE_URL": subprocess_database_url("faults-check-worker")}  # fmt: skip
    check = subprocess.run([sys.executable, "manage.py", "check_worker", "--timeout", "20"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=40)  # fmt: skip
    print(f"\ncheck_worker exit status {check.returncode}:\n{check.stdout}{check.stderr}")
    assert check.returncode == 1
    assert "1 task(s) stuck RUNNING" in check.stdout and str(stuck.id) in check.stdout
    assert f"its worker {killed.name} silent for more than 1 s" in check.stdout
    assert "Worker answered through the database backend" in check.stdout
    assert "1 task(s) stuck" in check.stderr
