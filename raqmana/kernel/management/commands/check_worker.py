import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.tasks import TaskResultStatus
from django.utils import timezone

from raqmana.kernel.tasks import worker_heartbeat


class Command(BaseCommand):
    help = "Send a heartbeat task through the configured background backend and wait for a worker to run it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: str, timeout: float, **options: object) -> None:
        result = worker_heartbeat.enqueue(timezone.now().isoformat())
        deadline = time.monotonic() + timeout
        while result.status != TaskResultStatus.SUCCESSFUL:
            if result.status == TaskResultStatus.FAILED or time.monotonic() > deadline:
                raise CommandError(f"No worker ran the heartbeat ({settings.TASKS_BACKEND} backend): {result.status}.")
            time.sleep(0.2)
            result.refresh()
        self.stdout.write(f"Worker answered through the {settings.TASKS_BACKEND} backend: {result.return_value}")
