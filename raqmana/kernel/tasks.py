"""The kernel's task, and how every app queues its own. A task is queued after the transaction that decided it
commits (nothing runs for a decision rolled back), and a broker that does not answer then never turns a request
that succeeded into an error: the row the task works on stays the truth, and the periodic job that sweeps such
rows (kernel/periodic.py) runs it later."""

import logging
import socket
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.tasks import Task, task
from django.utils import timezone

logger = logging.getLogger(__name__)


@task
def worker_heartbeat(sent_at: str) -> dict[str, str]:
    """Proves the task pipeline end to end: returns which worker ran it and when, echoing the sender's stamp."""
    return {"sent_at": sent_at, "host": socket.gethostname(), "ran_at": timezone.now().isoformat()}


def enqueue_now(task: Task, *args: Any, delay: timedelta | None = None) -> bool:
    """Queue `task` now, after `delay` where the backend can wait (the immediate backend of tests runs it at once);
    False, logged, when the backend refused it (a broker down): the caller's periodic sweep takes the work up."""
    try:
        if delay is not None and task.get_backend().supports_defer:
            task.using(run_after=timezone.now() + delay).enqueue(*args)
        else:
            task.enqueue(*args)
    except Exception:  # any failure of the broker or the queue's database: the work is not lost, only late
        logger.exception("Could not queue %s%r: the periodic sweep will run it.", task.module_path, args)
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any, delay: timedelta | None = None) -> None:
    """Queue `task` once the current transaction commits (at once outside one), as `enqueue_now` does."""
    transaction.on_commit(partial(enqueue_now, task, *args, delay=delay))
