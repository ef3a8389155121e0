"""Tasks of the fault tests only, imported by the worker processes from the repository's root."""

import os
import time
from pathlib import Path

from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

RECEIPT = "tests.faults.tasks.receipt"


@task
def record_run(markers: str) -> int:
    """Notes each start in the folder `markers` (a file named by the process running it, holding its id), waits there
    for the file "release", then writes its receipt in the database: a result row that no worker runs. Returns the
    process id."""
    folder = Path(markers)
    (folder / f"started-{os.getpid()}-{time.monotonic_ns()}").write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{markers} was never released.")
        time.sleep(0.05)
    DBTaskResult.objects.create(
        task_path=RECEIPT,
        backend_name="faults",
        status=TaskResultStatus.SUCCESSFUL,
        args_kwargs={"args": [markers], "kwargs": {}},
        run_after=timezone.now(),
        return_value=os.getpid(),
    )
    return os.getpid()


def starts(markers: Path) -> list[int]:
    """The process ids that started `record_run` on this folder, in the order they started."""
    files = sorted(markers.glob("started-*"), key=lambda path: int(path.name.rsplit("-", 1)[1]))
    return [int(path.read_text()) for path in files if path.read_text()]


def receipts(markers: Path) -> int:
    return DBTaskResult.objects.filter(task_path=RECEIPT, args_kwargs__args__0=str(markers)).count()
