import logging
import signal
import sys
import time
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser

from raqmana.kernel.periodic import PeriodicJob, enqueue_due_jobs, periodic_jobs
from raqmana.kernel.workers import DATABASE_OUTAGES, Backoff, wait_out_outage

logger = logging.getLogger("raqmana.kernel.periodic")


class Command(BaseCommand):
    help = (
        "Queue each periodic job (kernel/periodic.py) when it is due, for the database task backend (Celery uses "
        "beat); waits out database outages, and may run twice. --once queues the jobs due now and exits (cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Queue the jobs due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between two looks at the schedule (default 10)."
        )

    def handle(self, *args: str, once: bool, interval: float, verbosity: int, **options: object) -> None:
        if once:
            self.report(enqueue_due_jobs(), verbosity)
            return
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        jobs = ", ".join(f"{job.name} every {job.interval}" for job in periodic_jobs())
        logger.info("Scheduling %s.", jobs)
        backoff = Backoff()
        while True:
            try:
                self.report(enqueue_due_jobs(), verbosity)
            except DATABASE_OUTAGES as error:
                wait_out_outage(error, "queueing the periodic jobs", backoff)
                continue
            backoff.reset()
            time.sleep(interval)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        # Stopped while queueing, the open transaction rolls back with its claim: the job stays due.
        logger.info("Received %s: stopping.", signal.strsignal(signum))
        sys.exit(0)

    def report(self, queued: list[PeriodicJob], verbosity: int) -> None:
        for job in queued:
            if verbosity:
                self.stdout.write(f"Queued {job.name}.")
