"""The database worker that outlives what kills django_tasks_db's own (`manage.py run_worker`): a database that
goes away for a while, and a worker killed in the middle of a task.

A database outage (an OperationalError or InterfaceError) while polling, claiming or recording closes the
connection and waits, longer each time up to BACKOFF_CAP seconds, then carries on. A task that lost its database
while it ran is put back to run again.

Each worker records a heartbeat (a WorkerHeartbeat row) every few seconds from a thread of its own, however long its
task runs, and marks it stopped when it stops gracefully. A RUNNING task is taken back (`take_back_stuck_tasks`)
only once the worker that claimed it, the last of its `worker_ids`, has been silent for RAQMANA_WORKER_SILENCE or
has stopped: a worker killed mid-task, or one stopped before it could record the task's end. A task claimed by a
worker that records no heartbeat (django_tasks_db's own `db_worker`) is taken back once it has run for
RAQMANA_TASK_TIMEOUT. Every task is run at most RAQMANA_TASK_MAX_ATTEMPTS times (each claim adds the worker to
`worker_ids`), then marked FAILED with an alert: our tasks are written to be run again (each re-reads its row under a
lock)."""

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from traceback import format_exception_only
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import Now
from django.tasks import TaskContext, TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from raqmana.kernel.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
# What someone must look at: a task given up. Routed to the operators' alerting by the deployment's logging.
alerts = logging.getLogger("raqmana.alerts")

DATABASE_OUTAGES = (OperationalError, InterfaceError)
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 30.0
HEARTBEATS_KEPT = timedelta(days=7)
HEARTBEAT_STOP_WAIT = 5.0  # seconds a stopping worker waits for its heartbeat thread's last write


class TaskLost(Exception):
    """A task whose worker never recorded its end, as many times as it may run."""


@dataclass
class Backoff:
    """The waits after consecutive failures: `first` seconds, doubled each time, never more than `cap`."""

    first: float = BACKOFF_FIRST
    cap: float = BACKOFF_CAP
    failures: int = field(default=0, init=False)

    def next_delay(self) -> float:
        delay = min(self.cap, self.first * 2**self.failures)
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


def first_line(error: BaseException) -> str:
    return format_exception_only(error)[-1].strip().splitlines()[0]


def forget_connections() -> None:
    """Drop every database connection, broken or not: the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        with suppress(DatabaseError):
            connection.close()


def wait_out_outage(error: BaseException, doing: str, backoff: Backoff) -> None:
    delay = backoff.next_delay()
    logger.warning("Database unavailable while %s (%s): trying again in %.1f s.", doing, first_line(error), delay)
    forget_connections()
    time.sleep(delay)


def task_timeout() -> timedelta:
    return timedelta(seconds=settings.RAQMANA_TASK_TIMEOUT)


def worker_silence() -> timedelta:
    return timedelta(seconds=settings.RAQMANA_WORKER_SILENCE)


def heartbeat_interval() -> float:
    """Seconds between two heartbeats: six to a silence, so that a live worker is never taken for dead for a beat
    or two lost to a busy database; at most 10 s."""
    return min(10.0, max(0.2, settings.RAQMANA_WORKER_SILENCE / 6))


class WorkerState(StrEnum):
    LIVE = "live"
    SILENT = "silent"
    STOPPED = "stopped"


def worker_states(worker_id: str | None = None) -> dict[str, WorkerState]:
    """The state of every worker that recorded a heartbeat (or of `worker_id` alone): silent when its last heartbeat
    is older than RAQMANA_WORKER_SILENCE, by the database's clock, which wrote it."""
    heartbeats = WorkerHeartbeat.objects.annotate(
        silent=ExpressionWrapper(Q(last_seen__lt=Now() - worker_silence()), output_field=BooleanField())
    )
    if worker_id is not None:
        heartbeats = heartbeats.filter(worker_id=worker_id)
    return {
        worker: WorkerState.STOPPED if stopped_at else WorkerState.SILENT if silent else WorkerState.LIVE
        for worker, stopped_at, silent in heartbeats.values_list("worker_id", "stopped_at", "silent")
    }


def claiming_worker(result: DBTaskResult) -> str | None:
    """The worker that claimed the task last, the one running it if any does."""
    return result.worker_ids[-1] if result.worker_ids else None


def why_lost(
    result: DBTaskResult, states: dict[str, WorkerState], now: datetime, idle_worker: str | None
) -> str | None:
    """Why no worker runs this RUNNING task any more, None while one may. `idle_worker` runs no task: one it claimed
    was left by an earlier run of a worker under the same id."""
    worker = claiming_worker(result)
    if worker is not None and worker == idle_worker:
        return f"left RUNNING by an earlier run of its worker {worker}"
    state = states.get(worker) if worker is not None else None
    if state == WorkerState.LIVE:
        return None
    if state == WorkerState.STOPPED:
        return f"its worker {worker} stopped without recording its end"
    if state == WorkerState.SILENT:
        return f"its worker {worker} silent for more than {settings.RAQMANA_WORKER_SILENCE} s (RAQMANA_WORKER_SILENCE)"
    if result.started_at is None or result.started_at < now - task_timeout():
        return (
            f"still running {settings.RAQMANA_TASK_TIMEOUT} s (RAQMANA_TASK_TIMEOUT) after it started, claimed by a "
            "worker that records no heartbeat"
        )
    return None


@dataclass(frozen=True)
class StuckTask:
    result: DBTaskResult
    why: str


def stuck_tasks(now: datetime | None = None, idle_worker: str | None = None) -> list[StuckTask]:
    """The RUNNING tasks that no worker runs any more (`why_lost`), the oldest first."""
    now = now or timezone.now()
    states = worker_states()
    running = DBTaskResult.objects.running().only("task_path", "status", "started_at", "worker_ids")
    return [
        StuckTask(result, why)
        for result in running.order_by("started_at")
        if (why := why_lost(result, states, now, idle_worker)) is not None
    ]


def live_workers() -> QuerySet[WorkerHeartbeat]:
    """The heartbeats of the workers alive now, the longest running first."""
    live = [worker for worker, state in worker_states().items() if state == WorkerState.LIVE]
    return WorkerHeartbeat.objects.filter(worker_id__in=live).order_by("started_at")


def forget_old_heartbeats() -> None:
    """A worker silent this long is long gone; a task it left RUNNING, if still there, is then one claimed by a worker
    without heartbeat, taken back all the same."""
    WorkerHeartbeat.objects.filter(last_seen__lt=Now() - HEARTBEATS_KEPT).delete()


def failed_tasks(since: datetime) -> QuerySet[DBTaskResult]:
    """Tasks that ended FAILED since `since`, the newest first."""
    return DBTaskResult.objects.failed().filter(finished_at__gte=since).order_by("-finished_at")


def error_summary(result: DBTaskResult) -> str:
    """The first line of the exception a failed task ended with (its traceback's frames left out)."""
    lines = result.traceback.strip().splitlines()
    indented = [number for number, line in enumerate(lines) if line.startswith(" ")]
    start = indented[-1] + 1 if indented and indented[-1] + 1 < len(lines) else 0
    return lines[start] if lines else result.exception_class_path


def put_back_or_give_up(result: DBTaskResult, why: str) -> bool:
    """Make a claimed task READY to run again, or FAILED with an alert once it has been claimed
    RAQMANA_TASK_MAX_ATTEMPTS times; True when put back. The caller holds the row's lock."""
    attempts = len(result.worker_ids)
    if attempts < settings.RAQMANA_TASK_MAX_ATTEMPTS:
        result.status = TaskResultStatus.READY
        result.save(update_fields=["status"])
        logger.warning("Task %s (%s) %s: put back to run again (attempt %d).", result.pk, result.task_path, why,
                       attempts)  # fmt: skip
        return True
    lost = TaskLost(f"Given up after {attempts} attempts: {why}.")
    result.status = TaskResultStatus.FAILED
    result.finished_at = timezone.now()
    result.exception_class_path = f"{TaskLost.__module__}.{TaskLost.__qualname__}"
    result.traceback = "".join(format_exception_only(lost))
    result.return_value = None
    result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
    alerts.error("Task %s (%s) given up after %d attempts: %s.", result.pk, result.task_path, attempts, why)
    return False


@dataclass(frozen=True)
class TakenBack:
    put_back: list[str]
    given_up: list[str]


def take_back_stuck_tasks(now: datetime | None = None, idle_worker: str | None = None) -> TakenBack:
    """Every task RUNNING that no worker runs any more (`why_lost`) is put back to run again, or given up after its
    last attempt. Each row is locked and judged again, its worker's heartbeat read again, so that two workers taking
    back at once take each task once, and a task claimed again meanwhile is left to its new worker."""
    now = now or timezone.now()
    put_back: list[str] = []
    given_up: list[str] = []
    for stuck in stuck_tasks(now, idle_worker):
        with exclusive_transaction(DBTaskResult.objects.db):
            result = (
                DBTaskResult.objects.running().select_for_update(skip_locked=True).filter(pk=stuck.result.pk).first()
            )
            if result is None:
                continue
            worker = claiming_worker(result)
            states = worker_states(worker) if worker is not None else {}
            why = why_lost(result, states, now, idle_worker)
            if why is None:
                continue
            (put_back if put_back_or_give_up(result, why) else given_up).append(str(result.pk))
    forget_old_heartbeats()
    return TakenBack(put_back, given_up)


class Heartbeat:
    """Records that the worker `worker_id` lives: first from the worker's own thread (`start`), then every
    `heartbeat_interval()` from a daemon thread with its own database connection, which keeps beating while a task
    runs, waits out database outages, and closes its connection when stopped (`stop`, which marks the worker
    stopped)."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.interval = heartbeat_interval()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self.thread is not None

    def start(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": Now(),
                "last_seen": Now(),
                "stopped_at": None,
            },
        )
        self.thread = threading.Thread(target=self.beat_until_stopped, name=f"heartbeat-{self.worker_id}", daemon=True)
        self.thread.start()

    def beat_until_stopped(self) -> None:
        failing = False
        try:
            while not self.stopping.wait(self.interval):
                try:
                    close_old_connections()
                    record_heartbeat(self.worker_id)
                except Exception as error:  # a heartbeat thread that died would have the worker's task run twice
                    if not failing:
                        logger.warning("Could not record the heartbeat of worker %s (%s): trying again every %.1f s.",
                                       self.worker_id, first_line(error), self.interval)  # fmt: skip
                    failing = True
                    with suppress(DatabaseError):
                        connections.close_all()
                else:
                    if failing:
                        logger.info("Heartbeat of worker %s recorded again.", self.worker_id)
                    failing = False
        finally:
            with suppress(DatabaseError):
                connections.close_all()  # this thread's own connection

    def stop(self) -> None:
        if self.thread is None:
            return
        self.stopping.set()
        self.thread.join(timeout=HEARTBEAT_STOP_WAIT)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(stopped_at=Now())
        except DatabaseError as error:
            logger.warning("Could not mark worker %s stopped (%s): its tasks are taken back once it is silent.",
                           self.worker_id, first_line(error))  # fmt: skip


def record_heartbeat(worker_id: str) -> None:
    """The worker `worker_id` lives, now by the database's clock."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=Now())


class DatabaseBusy(Exception):
    """SQLite's database is locked by another writer: not an outage, the next poll will do."""


class RecoveringWorker(Worker):
    """django_tasks_db's Worker, which otherwise exits on any database error and leaves a killed task RUNNING."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.backoff = Backoff()
        self.heartbeat = Heartbeat(self.worker_id)
        # Taking back is a scan of the running tasks: four times per silence, at most every 15 s.
        self.take_back_every = min(15.0, max(0.5, settings.RAQMANA_WORKER_SILENCE / 4))
        self.next_take_back = 0.0

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # workers started together do not poll together
        try:
            self.poll_until_stopped()
        finally:  # a graceful stop, or SystemExit from the signal handler while the worker waited
            self.heartbeat.stop()

    def poll_until_stopped(self) -> None:
        while self.running:
            try:
                if not self.heartbeat.started:
                    self.heartbeat.start()
                self.take_back_when_due()
                claimed = self.claim_next()
            except DatabaseBusy:
                claimed = None
            except DATABASE_OUTAGES as error:
                wait_out_outage(error, "polling for tasks", self.backoff)
                continue
            else:
                self.backoff.reset()
                if claimed is None and self.batch:
                    logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                    return
            if claimed is not None:
                self.run_task(claimed)
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Run maximum tasks (%d) on worker=%s - exiting gracefully.", self._run_tasks,
                            self.worker_id)  # fmt: skip
                return
            if self.running and claimed is None:
                time.sleep(self.interval)

    def take_back_when_due(self) -> None:
        if time.monotonic() < self.next_take_back:
            return
        take_back_stuck_tasks(idle_worker=self.worker_id)
        self.next_take_back = time.monotonic() + self.take_back_every

    def claim_next(self) -> DBTaskResult | None:
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                claimed = tasks.get_locked()
                if claimed is not None:
                    claimed.claim(self.worker_id)
                    # Alive as of the claim, whatever its heartbeat thread could record during an outage.
                    record_heartbeat(self.worker_id)
            except OperationalError as error:
                if is_locked_database_exception(error):
                    raise DatabaseBusy from error
                raise
        return claimed

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run the claimed task and record how it ended, waiting out a database outage to record it."""
        self.running_task = True
        try:
            try:
                return_value = self.call(db_task_result)
            except DATABASE_OUTAGES as error:
                # The task lost its database, through no fault of its own: it runs again once the database is back.
                why = f"lost its database connection ({first_line(error)})"
                self.until_recorded(db_task_result, partial(self.put_back, db_task_result, why))
            except (KeyboardInterrupt, SystemExit):
                # A forced stop (a second signal): the task did not fail, it was interrupted.
                with suppress(DatabaseError):
                    self.put_back(db_task_result, "interrupted by a forced stop of its worker")
                raise
            except Exception as error:
                self.until_recorded(db_task_result, partial(db_task_result.set_failed, error))
            else:
                self.until_recorded(db_task_result, partial(self.record_success, db_task_result, return_value))
        finally:
            self.running_task = False
            self._run_tasks += 1

    def call(self, db_task_result: DBTaskResult) -> Any:
        task = db_task_result.task
        task_result = db_task_result.task_result
        task_started.send(sender=type(task.get_backend()), task_result=task_result)
        if task.takes_context:
            return task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
        return task.call(*task_result.args, **task_result.kwargs)

    def record_success(self, db_task_result: DBTaskResult, return_value: Any) -> None:
        try:
            db_task_result.set_successful(return_value)
        except DATABASE_OUTAGES:
            raise
        except Exception as error:  # a return value that cannot be stored (not JSON) fails the task, as upstream
            db_task_result.set_failed(error)

    def put_back(self, db_task_result: DBTaskResult, why: str) -> None:
        with exclusive_transaction(DBTaskResult.objects.db):
            locked = DBTaskResult.objects.select_for_update().filter(pk=db_task_result.pk).first()
            if locked is not None and locked.status == TaskResultStatus.RUNNING:
                put_back_or_give_up(locked, why)
        db_task_result.refresh_from_db()

    def until_recorded(self, db_task_result: DBTaskResult, record: Callable[[], None]) -> None:
        """Record the task's end, through any database outage; if the worker is stopped first, the task stays
        RUNNING and is taken back once the worker is marked stopped or silent."""
        while True:
            try:
                record()
            except DATABASE_OUTAGES as error:
                if not self.running:
                    logger.warning("Task %s left RUNNING by a stopped worker: taken back once it is marked stopped.",
                                   db_task_result.pk)  # fmt: skip
                    return
                wait_out_outage(error, f"recording the end of task {db_task_result.pk}", self.backoff)
                continue
            self.backoff.reset()
            break
        if db_task_result.status != TaskResultStatus.READY:
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
