"""raqmana.settings with Celery's default queue named by FAULTS_CELERY_QUEUE, for the processes of a fault test: the
tasks they queue themselves (a notification's send after its payment settled, the periodic jobs) stay on the test's
own queue, which its worker consumes, instead of Celery's shared default one."""

import os

from raqmana.settings import *  # noqa: F403 (every setting, one added)

CELERY_TASK_DEFAULT_QUEUE = os.environ["FAULTS_CELERY_QUEUE"]
