import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from raqmana.kernel.tasks import worker_heartbeat
from raqmana.kernel.workers import claiming_worker, error_summary, failed_tasks, live_workers, stuck_tasks


class Command(BaseCommand):
    help = (
        "Send a heartbeat task through the configured background backend and wait for a worker to run it; with the "
        "database backend, list the live workers (their last heartbeat, the task each runs), the tasks stuck RUNNING "
        "(their worker silent past RAQMANA_WORKER_SILENCE or stopped, or without heartbeat and running past "
        "RAQMANA_TASK_TIMEOUT) and those FAILED in the last 24 hours. Exits 1 when no worker answers or a task is "
        "stuck."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait for the heartbeat.")

    def handle(self, *args: str, timeout: float, **options: object) -> None:
        problems = []
        if isinstance(worker_heartbeat.get_backend(), DatabaseBackend):
            problems += self.report_database_tasks()
        else:
            self.stdout.write(
                f"With the {settings.TASKS_BACKEND} backend, a task whose worker was lost goes back to the broker "
                "(late acknowledgement) and RabbitMQ delivers it again: none stays stuck here; failures are in the "
                "workers' logs."
            )
        answer = self.heartbeat(timeout)
        if answer is None:
            problems.insert(0, f"no worker ran the heartbeat within {timeout:g} s ({settings.TASKS_BACKEND} backend)")
        else:
            self.stdout.write(f"Worker answered through the {settings.TASKS_BACKEND} backend: {answer}")
        if problems:
            raise CommandError("; ".join(problems) + ".")

    def heartbeat(self, timeout: float) -> object | None:
        result = worker_heartbeat.enqueue(timezone.now().isoformat())
        deadline = time.monotonic() + timeout
        while result.status != TaskResultStatus.SUCCESSFUL:
            if result.status == TaskResultStatus.FAILED or time.monotonic() > deadline:
                return None
            time.sleep(0.2)
            result.refresh()
        return result.return_value

    def report_database_tasks(self) -> list[str]:
        problems = []
        self.report_live_workers()
        stuck = stuck_tasks()
        if stuck:
            self.stdout.write(f"{len(stuck)} task(s) stuck RUNNING, taken back by the next worker that polls:")
            for task in stuck:
                result = task.result
                self.stdout.write(
                    f"  {result.task_path} {result.pk}, started {result.started_at:%Y-%m-%d %H:%M:%S}: {task.why}"
                )
            problems.append(f"{len(stuck)} task(s) stuck")
        else:
            self.stdout.write("No task stuck.")
        failed = list(failed_tasks(since=timezone.now() - timedelta(hours=24)))
        if failed:
            names = sorted({result.task_path for result in failed})
            self.stdout.write(f"{len(failed)} task(s) FAILED in the last 24 hours: {', '.join(names)}.")
            self.stdout.write(f"  Newest error ({failed[0].task_path}): {error_summary(failed[0])}")
        else:
            self.stdout.write("No task failed in the last 24 hours.")
        return problems

    def report_live_workers(self) -> None:
        workers = list(live_workers())
        if not workers:
            self.stdout.write(f"No worker recorded a heartbeat in the last {settings.RAQMANA_WORKER_SILENCE} s.")
            return
        running = {claiming_worker(result): result for result in DBTaskResult.objects.running()}
        now = timezone.now()
        self.stdout.write(
            f"{len(workers)} worker(s) alive (a heartbeat in the last {settings.RAQMANA_WORKER_SILENCE} s):"
        )
        for worker in workers:
            task = running.get(worker.worker_id)
            doing = f"running {task.task_path} {task.pk} since {task.started_at:%H:%M:%S}" if task else "idle"
            self.stdout.write(
                f"  {worker.worker_id} on {worker.host} (pid {worker.pid}), last heartbeat "
                f"{(now - worker.last_seen).total_seconds():.0f} s ago: {doing}"
            )
