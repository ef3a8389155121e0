from django.db import models


class PeriodicJobRun(models.Model):
    """When a periodic job (kernel/periodic.py) was last queued by `manage.py run_periodic`: shared by every
    scheduler that runs, so that two of them, or one restarted, queue a job once per interval."""

    job = models.CharField(max_length=200, primary_key=True)
    enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.job}: {self.enqueued_at:%Y-%m-%d %H:%M:%S}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of a database task worker (`manage.py run_worker`), recorded every few seconds while
    it runs and marked stopped when it stops gracefully: a RUNNING task is taken back only once the worker that
    claimed it has fallen silent (kernel/workers.py). `last_seen` is the database's clock, the same for every
    machine."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid}): {self.last_seen:%Y-%m-%d %H:%M:%S}"
