import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from raqmana.kernel.workers import RecoveringWorker


class Command(db_worker.Command):
    help = (
        "Run the database task worker (django_tasks_db's db_worker, with its options) so that it survives a database "
        "outage, records its heartbeat every few seconds, and takes back the tasks of workers that died, their "
        "heartbeat silent (RAQMANA_WORKER_SILENCE, RAQMANA_TASK_TIMEOUT, RAQMANA_TASK_MAX_ATTEMPTS)."
    )

    def handle(self, *, verbosity: int, reload: bool, batch: bool, **options: object) -> None:
        self.configure_logging(verbosity)
        queue_names = str(options["queue_name"]).split(",")
        excluded_queue_names = str(options["exclude_queues"]).split(",") if options["exclude_queues"] else []
        worker = RecoveringWorker(
            queue_names=queue_names,
            excluded_queue_names=excluded_queue_names,
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
