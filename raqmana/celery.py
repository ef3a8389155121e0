"""The Celery application behind TASKS_BACKEND=celery: `celery -A raqmana worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raqmana.settings")

app = Celery("raqmana")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every installed app's tasks.py: a worker must know each task any app enqueues.
app.autodiscover_tasks()
