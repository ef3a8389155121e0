import socket

from django.tasks import task
from django.utils import timezone


@task
def worker_heartbeat(sent_at: str) -> dict[str, str]:
    """Proves the task pipeline end to end: returns which worker ran it and when, echoing the sender's stamp."""
    return {"sent_at": sent_at, "host": socket.gethostname(), "ran_at": timezone.now().isoformat()}
