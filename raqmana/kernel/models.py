from django.db import models


class PeriodicJobRun(models.Model):
    """When a periodic job (kernel/periodic.py) was last queued by `manage.py run_periodic`: shared by every
    scheduler that runs, so that two of them, or one restarted, queue a job once per interval."""

    job = models.CharField(max_length=200, primary_key=True)
    enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.job}: {self.enqueued_at:%Y-%m-%d %H:%M:%S}"
