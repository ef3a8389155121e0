"""The Celery application behind TASKS_BACKEND=celery: `celery -A raqmana worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raqmana.settings")

app = Celery("raqmana")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's tasks.py: a worker must know each task any app enqueues.
app.autodiscover_tasks()
# Celery beat (`celery -A raqmana beat`) runs the workflows' clocks every five minutes; the task's Celery name is its
# module path (django_tasks_celery).
app.conf.beat_schedule = {
    "run-due-clocks": {"task": "raqmana.workflows.tasks.run_due_clocks", "schedule": 300.0},
}
