"""Workers killed mid-task and cut off from the database: every task still runs to its end, once."""

import os
import signal
import subprocess
import sys
import time

from django.tasks import TaskResultStatus

from tests.faults.conftest import ROOT
from tests.faults.tasks import receipts, record_run, starts


def test_a_database_worker_killed_mid_task_is_taken_back_by_another(db_worker, markers, wait_until):
    first = db_worker(task_timeout=3)
    result = record_run.enqueue(str(markers))
    wait_until(lambda: starts(markers), 20, "the first worker to start the task")
    first.kill()
    (markers / "release").touch()
    killed_at = time.monotonic()

    second = db_worker(task_timeout=3)
    wait_until(lambda: receipts(markers), 30, "the task taken back and completed")
    result.refresh()
    print(f"\ndb worker SIGKILLed mid-task: started {len(starts(markers))} times, completed {receipts(markers)} "
          f"time(s), {time.monotonic() - killed_at:.1f} s after the kill (timeout 3 s)")  # fmt: skip
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids == [first.name, second.name]
    assert len(starts(markers)) == 2 and receipts(markers) == 1
    assert "put back to run again" in second.log()


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
    busy.refresh()
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

    env = {**os.environ, "RAQMANA_DEBUG": "1", "TASKS_BACKEND": "database", "RAQMANA_TASK_TIMEOUT": "1",
           "DATABASE_URL": subprocess_database_url("faults-check-worker")}  # fmt: skip
    check = subprocess.run([sys.executable, "manage.py", "check_worker", "--timeout", "20"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=40)  # fmt: skip
    print(f"\ncheck_worker exit status {check.returncode}:\n{check.stdout}{check.stderr}")
    assert check.returncode == 1
    assert "1 task(s) stuck RUNNING past 1 s" in check.stdout and str(stuck.id) in check.stdout
    assert "Worker answered through the database backend" in check.stdout
    assert "1 task(s) stuck" in check.stderr
