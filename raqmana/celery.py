"""The Celery application behind TASKS_BACKEND=celery: `celery -A raqmana worker`, and `celery -A raqmana beat` for
the periodic jobs. Acknowledgement late, rejection on a lost worker, prefetch of one: raqmana/settings.py."""

import os

from celery import Celery
from celery.signals import import_modules

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raqmana.settings")

app = Celery("raqmana")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's tasks.py: a worker must know each task any app enqueues.
app.autodiscover_tasks()


def beat_schedule():
    """The periodic jobs each app declares beside its task (kernel/periodic.py), by their Celery names (the task's
    module path, django_tasks_celery)."""
    from raqmana.kernel.periodic import periodic_jobs

    return {job.name: {"task": job.name, "schedule": job.interval} for job in periodic_jobs()}


@import_modules.connect(sender=app)
def schedule_periodic_jobs(sender, **kwargs):
    # Sent as beat (or a worker) starts, after Celery's Django fixup has set Django up, before beat reads its
    # schedule: the apps' tasks modules cannot be read when this module loads.
    sender.conf.beat_schedule = beat_schedule()
