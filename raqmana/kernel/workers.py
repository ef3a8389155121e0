"""The database worker that outlives what kills django_tasks_db's own (`manage.py run_worker`): a database that
goes away for a while, and a worker killed in the middle of a task.

A database outage (an OperationalError or InterfaceError) while polling, claiming or recording closes the
connection and waits, longer each time up to BACKOFF_CAP seconds, then carries on. A task that lost its database
while it ran is put back to run again; a result that could not be recorded leaves the task RUNNING, and like the
task of a worker killed mid-run it is taken back once RAQMANA_TASK_TIMEOUT has passed (`take_back_stuck_tasks`).
Every task is run at most RAQMANA_TASK_MAX_ATTEMPTS times (each claim adds the worker to `worker_ids`), then
marked FAILED with an alert: our tasks are written to be run again (each re-reads its row under a lock)."""

import logging
import random
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from traceback import format_exception_only
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections
from django.db.models import QuerySet
from django.tasks import TaskContext, TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger(__name__)
# What someone must look at: a task given up. Routed to the operators' alerting by the deployment's logging.
alerts = logging.getLogger("raqmana.alerts")

DATABASE_OUTAGES = (OperationalError, InterfaceError)
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 30.0


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


def stuck_tasks(now: datetime | None = None) -> QuerySet[DBTaskResult]:
    """Tasks RUNNING for longer than RAQMANA_TASK_TIMEOUT: their worker died, or could not record their end."""
    return DBTaskResult.objects.running().filter(started_at__lt=(now or timezone.now()) - task_timeout())


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


def take_back_stuck_tasks(now: datetime | None = None) -> TakenBack:
    """Every task RUNNING longer than RAQMANA_TASK_TIMEOUT is put back to run again, or given up after its last
    attempt. Each row is locked and read again, so two workers taking back at once take each task once."""
    now = now or timezone.now()
    why = f"still running {settings.RAQMANA_TASK_TIMEOUT} s (RAQMANA_TASK_TIMEOUT) after it started, its end unrecorded"
    put_back: list[str] = []
    given_up: list[str] = []
    for pk in stuck_tasks(now).values_list("pk", flat=True):
        with exclusive_transaction(DBTaskResult.objects.db):
            result = stuck_tasks(now).select_for_update(skip_locked=True).filter(pk=pk).first()
            if result is None:
                continue
            (put_back if put_back_or_give_up(result, why) else given_up).append(str(pk))
    return TakenBack(put_back, given_up)


class DatabaseBusy(Exception):
    """SQLite's database is locked by another writer: not an outage, the next poll will do."""


class RecoveringWorker(Worker):
    """django_tasks_db's Worker, which otherwise exits on any database error and leaves a killed task RUNNING."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.backoff = Backoff()
        # Taking back is a scan of the running tasks: a few times per timeout is enough, once a minute at most.
        self.take_back_every = min(60.0, max(1.0, settings.RAQMANA_TASK_TIMEOUT / 4))
        self.next_take_back = 0.0

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # workers started together do not poll together
        while self.running:
            try:
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
        take_back_stuck_tasks()
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
        RUNNING and is taken back after RAQMANA_TASK_TIMEOUT."""
        while True:
            try:
                record()
            except DATABASE_OUTAGES as error:
                if not self.running:
                    logger.warning("Task %s left RUNNING by a stopped worker: taken back after the timeout.",
                                   db_task_result.pk)  # fmt: skip
                    return
                wait_out_outage(error, f"recording the end of task {db_task_result.pk}", self.backoff)
                continue
            self.backoff.reset()
            break
        if db_task_result.status != TaskResultStatus.READY:
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
