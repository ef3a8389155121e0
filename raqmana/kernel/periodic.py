"""Jobs that run on a schedule, declared by the app that owns them, in its `tasks.py`, beside the task:

    periodic.every(timedelta(minutes=5), run_due_clocks)

One list feeds both schedulers: Celery beat (`raqmana/celery.py`) with TASKS_BACKEND=celery, and `manage.py
run_periodic` with the database backend, which enqueues each job when it is due. Every job must be safe to run
twice or late: a scheduler restarted, or two of them, enqueue it again."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import PeriodicJobRun
from .tasks import enqueue_now


@dataclass(frozen=True)
class PeriodicJob:
    task: Task
    interval: timedelta

    @property
    def name(self) -> str:
        return self.task.module_path


_jobs: dict[str, PeriodicJob] = {}


def every(interval: timedelta, task: Task) -> Task:
    """Run `task` (which takes no argument) every `interval`; returns the task, so that it can decorate it."""
    if interval < timedelta(seconds=10):
        raise ValueError(f"{task.module_path} would run every {interval}: ten seconds is the shortest interval.")
    job = PeriodicJob(task, interval)
    if _jobs.get(job.name, job) != job:
        raise ValueError(f"{job.name} is scheduled twice, at two intervals.")
    _jobs[job.name] = job
    return task


def periodic_jobs() -> list[PeriodicJob]:
    """Every job declared by the installed apps (their tasks.py modules are imported first), by name."""
    autodiscover_modules("tasks")
    return sorted(_jobs.values(), key=lambda job: job.name)


NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def enqueue_due_jobs(now: datetime | None = None) -> list[PeriodicJob]:
    """Queue every job whose interval has passed since it was last queued (`manage.py run_periodic`); returns the
    jobs queued. A job is claimed by one conditional UPDATE of its `PeriodicJobRun`, in the transaction that queues
    it on the database backend: two schedulers never queue it twice in one interval, and a job whose queueing failed
    stays due."""
    now = now or timezone.now()
    jobs = periodic_jobs()
    PeriodicJobRun.objects.bulk_create([PeriodicJobRun(job=job.name, enqueued_at=NEVER) for job in jobs],
                                       ignore_conflicts=True)  # fmt: skip
    queued = []
    for job in jobs:
        with transaction.atomic():
            due = PeriodicJobRun.objects.filter(job=job.name, enqueued_at__lte=now - job.interval)
            if not due.update(enqueued_at=now):
                continue
            if enqueue_now(job.task):
                queued.append(job)
            else:
                transaction.set_rollback(True)
    return queued
