"""Benchmark: notifications sent per second by the outbox's sweep (`notifications.services.send_due_notifications`)
to a local SMTP server, aiosmtpd in a process of its own (its Sink handler, which accepts and drops each message):
each send is a claim committed, one SMTP session, the outcome committed. The sweep is called as the periodic job
calls it, until nothing is due (it takes at most SWEEP_BATCH rows a call).

    .venv/bin/python bench/notifications_outbox.py [--notifications 2000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench .venv/bin/python bench/notifications_outbox.py

Prints figures and writes bench/results/notifications-outbox-<database>.json.
"""

import argparse
import os
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = free_port()
# Before Django reads its settings (harness): mail goes by SMTP to the sink, and no SMS provider is configured.
os.environ.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(PORT), RAQMANA_SMS_PROVIDER="")

from harness import run_benchmark  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--notifications", type=int, default=2000)
    options = parser.parse_args()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{PORT}", "-c", "aiosmtpd.handlers.Sink"]
    )
    try:
        wait_for_port(PORT)
        run_benchmark("notifications-outbox", lambda: run(options.notifications))
    finally:
        sink.terminate()
        sink.wait(timeout=10)


def wait_for_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run(count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from raqmana.accounts.models import User
    from raqmana.notifications.models import Channel, Notification
    from raqmana.notifications.services import attempt_delivery, send_due_notifications

    people = [
        User.objects.create_user(f"citizen{number}@example.ma", "correct-horse-battery", full_name=f"Citizen {number}")
        for number in range(20)
    ]

    def due(number):
        person = people[number % len(people)]
        return Notification(
            user=person,
            kind="civil_status_documents.order_issued",
            channel=Channel.EMAIL,
            address=person.email,
            subject="Raqmana : votre extrait d'acte de naissance est prêt",
            body="Votre document est prêt. Téléchargez-le depuis votre compte : https://raqmana.ma/documents/orders/1/",
            next_attempt_at=timezone.now(),
        )

    warm_up = due(0)  # the first send opens the connections; its statements are counted
    warm_up.save()
    with CaptureQueriesContext(connection) as statements:
        assert attempt_delivery(warm_up.pk)
    Notification.objects.bulk_create(due(number) for number in range(count))

    sweeps, sent = 0, 0
    started = time.perf_counter()
    while sent_now := send_due_notifications():
        sweeps += 1
        sent += sent_now
    elapsed = time.perf_counter() - started
    assert sent == count and not Notification.objects.filter(sent_at=None).exists()
    return {
        "notifications": count,
        "sweeps": sweeps,
        "seconds": round(elapsed, 2),
        "notifications_per_second": round(count / elapsed, 1),
        "ms_per_notification": round(elapsed / count * 1000, 2),
        "statements_per_notification": len(statements),
    }


if __name__ == "__main__":
    main()
