"""Jobs that run on a schedule, declared by the app that owns them, in its `tasks.py`, beside the task:

    periodic.every(timedelta(minutes=5), run_due_clocks)

One list feeds both schedulers: Celery beat (`raqmana/celery.py`) with TASKS_BACKEND=celery, and `manage.py
run_periodic` with the database backend, which enqueues each job when it is due. Every job must be safe to run
twice or late: a scheduler restarted, or two of them, enqueue it again."""

from dataclasses import dataclass
from datetime import timedelta

from django.tasks import Task
from django.utils.module_loading import autodiscover_modules


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
