"""Issue 14's journey end to end, on real workers: citizens order extracts and pay while the faults strike, and
nothing is lost.

CITIZENS citizens order a birth extract and the simulated gateway takes every payment. A third bring the gateway's
answer back and are settled at once; for a third the answer is lost on its way; for the last third the settling
request's connection is terminated by PostgreSQL while it holds the payment's lock. Worker processes (the database
backend, or Celery on the local RabbitMQ) run the periodic jobs (`manage.py run_periodic --once`, run as the
scheduler would) and every send. On the way the mail server (a local aiosmtpd sink) is stopped and started again, a
worker is SIGKILLed twice in the middle of a send and a new one started, and the workers' database connections are
terminated in the middle of another: the mail server holds each of those messages unanswered while the fault
strikes. A worker killed there never got the server's "250": the server usually drops the message (aiosmtpd does once
it notices the connection lost), or keeps it if it answered first. A worker cut from its database there had the "250"
but cannot record it. Either way the next attempt sends the message again, with the same Message-ID. At the end every
payment is paid (those whose answer never came, by the job), each order has one document, every notification is sent,
and each Message-ID reached the mail server once, or at most once more per attempt interrupted.

Retry delays and leases are minutes: to let them pass, the test moves due times in the database (`clock_*`), which
stands for the clock."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.services import place_order
from raqmana.civil_status_documents.tests.conftest import birth_act  # noqa: F401 (a fixture)
from raqmana.documents.models import IssuedDocument
from raqmana.kernel.models import PeriodicJobRun
from raqmana.kernel.periodic import NEVER
from raqmana.notifications.models import AttemptOutcome, Notification, NotificationAttempt
from raqmana.notifications.services import LEASE
from raqmana.payments.constants import PaymentState
from raqmana.payments.models import Payment
from raqmana.payments.providers import SimulatedProvider
from tests.faults.conftest import ROOT, WorkerProcess, _environment
from tests.faults.test_notifications_delivery import SmtpSink, _free_port
from tests.faults.test_payments import answer_in_a_request, cut_by_postgresql

pytestmark = pytest.mark.django_db(transaction=True)

CITIZENS = 12
HELD_SENDS = 3  # the first kill, the connections terminated, the second kill
WAIT = 30  # seconds, for any one step


class HeldSends:
    """The mail server keeps the next `count` messages it receives, one at a time, without answering, until the test
    releases each: meanwhile a worker is in the middle of a send, its message already with the mail server."""

    def __init__(self) -> None:
        self.left, self.held = 0, queue.Queue()

    def arm(self, count: int) -> None:
        self.left = count

    def __call__(self) -> None:  # SmtpSink.while_receiving, in a thread of the sink's
        if self.left <= 0:
            return
        self.left -= 1
        release = threading.Event()
        self.held.put(release)
        release.wait(WAIT)

    def next(self) -> threading.Event:
        """Wait for the next message held; returns its release."""
        return self.held.get(timeout=WAIT)


@dataclass
class Backend:
    """How the journey starts a worker process, SIGKILLs one in the middle of its task, and runs the scheduler."""

    name: str
    start: Callable[[], WorkerProcess]
    kill_mid_task: Callable[[WorkerProcess, int], WorkerProcess | None]  # the worker left running, if any
    settings: dict[str, str] = field(default_factory=dict)


@dataclass
class Counts:
    kills: int = 0
    connections_terminated: int = 0


@pytest.fixture
def sink(settings) -> Iterator[SmtpSink]:
    settings.RAQMANA_SMS_PROVIDER = ""
    mail_server = SmtpSink(_free_port())
    mail_server.while_receiving = HeldSends()
    mail_server.start()
    yield mail_server
    mail_server.while_receiving.arm(0)
    if mail_server._controller is not None:
        mail_server.stop()


def worker_settings(sink: SmtpSink) -> dict[str, str]:
    """What makes a worker process send to the sink by SMTP (settings.py: EMAIL_HOST), with no SMS, and seal with
    this test's keys into its documents folder."""
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_TIMEOUT": "5",
        "RAQMANA_SMS_PROVIDER": "",
        "RAQMANA_PKI_DIR": settings.RAQMANA_PKI_DIR,
        "RAQMANA_DOCUMENTS_DIR": settings.STORAGES["documents"]["OPTIONS"]["location"],
    }


@pytest.fixture
def database_backend(db_worker, sink) -> Backend:
    journey = worker_settings(sink)

    def kill(worker: WorkerProcess, number: int) -> None:
        worker.kill()  # a new one is started

    # A task whose worker died is taken back after RAQMANA_TASK_TIMEOUT: 3 s here.
    return Backend(
        "database", lambda: db_worker(task_timeout=3, **journey), kill, {"TASKS_BACKEND": "database", **journey}
    )


def pool_children(worker: WorkerProcess) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


@pytest.fixture
def celery_backend(celery_worker, celery_queue, sink) -> Iterator[Backend]:
    from raqmana.celery import app

    journey = {
        **worker_settings(sink),
        "DJANGO_SETTINGS_MODULE": "tests.faults.celery_queue_settings",
        "FAULTS_CELERY_QUEUE": celery_queue,
    }

    def kill(worker: WorkerProcess, number: int) -> WorkerProcess | None:
        """The first time the pool child (Celery forks another), the second time the whole worker."""
        for child in pool_children(worker):
            os.kill(child, signal.SIGKILL)
        if number == 1:
            return worker
        worker.kill()
        return None

    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = celery_queue  # what this process queues (sends after commit) goes there too
    yield Backend("celery", lambda: celery_worker(**journey), kill, {"TASKS_BACKEND": "celery", **journey})
    app.conf.task_default_queue = default_queue


def run_periodic(backend: Backend, database_url: str) -> None:
    """The scheduler queues the periodic jobs due (all of them: `clock_periodic_jobs` first)."""
    env = _environment(database_url, **backend.settings)
    done = subprocess.run(
        [sys.executable, "manage.py", "run_periodic", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def clock_periodic_jobs() -> None:
    """Stands for the clock: every periodic job's interval has passed."""
    PeriodicJobRun.objects.update(enqueued_at=NEVER)


def clock_payments() -> None:
    """Stands for the clock: the pending payments are older than RAQMANA_PAYMENT_CONFIRMATION_MINUTES."""
    past = timezone.now() - timedelta(minutes=settings.RAQMANA_PAYMENT_CONFIRMATION_MINUTES + 1)
    Payment.objects.filter(state=PaymentState.PENDING).update(created_at=past)


def clock_retries() -> None:
    """Stands for the clock: the retry delays of failed sends have passed. A row with an attempt under way keeps its
    lease (a live worker may be sending it)."""
    under_way = Notification.objects.filter(sendings__outcome=AttemptOutcome.SENDING).values("pk")
    Notification.objects.filter(sent_at=None, given_up_at=None).exclude(pk__in=under_way).update(
        next_attempt_at=timezone.now()
    )


def clock_leases() -> None:
    """Stands for the clock, while no worker runs: the leases of attempts whose worker died have run out too (no
    renewal for LEASE)."""
    Notification.objects.filter(sent_at=None, given_up_at=None).update(next_attempt_at=timezone.now())
    NotificationAttempt.objects.filter(outcome=AttemptOutcome.SENDING).update(
        renewed_at=timezone.now() - LEASE - timedelta(seconds=1)
    )


def a_minute_later(backend: Backend, database_url: Callable[[str], str]) -> None:
    """The retries and the periodic jobs are due, and the scheduler queues them."""
    clock_retries()
    clock_periodic_jobs()
    run_periodic(backend, database_url(f"faults-periodic-{backend.name}"))


def journey(backend: Backend, sink: SmtpSink, citizens, act, database_url, terminate, wait_until, monkeypatch):
    started = time.monotonic()
    counts = Counts()
    gateway = SimulatedProvider()
    orders = [
        place_order(
            citizen, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Passport"
        )
        for citizen in citizens
    ]
    answers = [gateway.answer(order.payment, True) for order in orders]  # the gateway takes every payment
    third = CITIZENS // 3
    returned, lost, cut = range(third), range(third, 2 * third), range(2 * third, CITIZENS)
    worker = backend.start()

    for number in returned:
        assert answer_in_a_request(citizens[number], answers[number]).status_code == 302
    with monkeypatch.context() as faults:
        cut_by_postgresql(faults)  # the settling request's backend terminated while it holds the payment's lock
        for number in cut:
            assert answer_in_a_request(citizens[number], answers[number]).status_code == 302
            counts.connections_terminated += 1
    pending = Payment.objects.filter(state=PaymentState.PENDING).count()
    assert pending == len(lost) + len(cut)
    wait_until(
        lambda: Notification.objects.filter(sent_at__isnull=False).count() == len(returned),
        WAIT,
        "the workers to send the messages of the orders settled at once",
    )

    # The mail server stops; the job settles the payments whose answer never came, their messages fail.
    sink.stop()
    clock_payments()
    clock_periodic_jobs()
    run_periodic(backend, database_url(f"faults-periodic-{backend.name}"))
    wait_until(lambda: not Payment.objects.filter(state=PaymentState.PENDING).exists(), WAIT, "the job to settle")
    failing = Notification.objects.filter(sent_at=None).exclude(error="")
    wait_until(lambda: failing.count() == pending, WAIT, "every send to fail while the mail server is away")
    assert not Notification.objects.filter(sendings__outcome=AttemptOutcome.SENDING).exists()

    # The mail server is back. In the middle of three sends: a SIGKILL, the connections terminated, a SIGKILL.
    sink.while_receiving.arm(HELD_SENDS)
    sink.start()
    a_minute_later(backend, database_url)
    for fault in ("kill", "terminate", "kill"):
        release = sink.while_receiving.next()
        if fault == "kill":
            counts.kills += 1
            worker = backend.kill_mid_task(worker, counts.kills)
        else:
            counts.connections_terminated += terminate(worker.name)
        release.set()
        if fault == "terminate":  # a sweep cut off from its database ends there (Celery): the next one takes over
            a_minute_later(backend, database_url)
        if worker is None:  # no worker runs: the leases of the interrupted attempts may run out, a new one starts
            clock_leases()
            worker = backend.start()
    a_minute_later(backend, database_url)
    wait_until(lambda: not Notification.objects.filter(sent_at=None).exists(), WAIT, "every notification sent")
    time.sleep(0.5)  # a late repeat would reach the sink now

    # Nothing lost, nothing doubled.
    assert Payment.objects.filter(state=PaymentState.PAID).count() == CITIZENS
    assert [DocumentOrder.objects.get(pk=o.pk).state for o in orders] == [OrderState.ISSUED] * CITIZENS
    assert IssuedDocument.objects.count() == CITIZENS
    documents = Counter(DocumentOrder.objects.values_list("document_id", flat=True))
    assert len(documents) == CITIZENS and None not in documents
    notifications = list(Notification.objects.all())
    assert len(notifications) == CITIZENS and all(n.sent_at for n in notifications)
    assert Notification.objects.filter(given_up_at__isnull=False).count() == 0
    message_ids = {n.message_id for n in notifications}
    # The sink also receives the one-time enrolment codes of the act's agent and officer, kept in no row.
    received = Counter(message_id for message_id in sink.received if message_id in message_ids)
    assert set(received) == message_ids
    interrupted = Counter(
        Notification.objects.filter(sendings__outcome=AttemptOutcome.INTERRUPTED).values_list("message_id", flat=True)
    )
    for notification in notifications:
        # Exactly once, or at most once more for each attempt interrupted after the mail server had the message.
        assert 1 <= received[notification.message_id] <= 1 + interrupted[notification.message_id]
    duplicates = sum(received.values()) - len(received)
    print(
        f"\nend to end on the {backend.name} backend, {time.monotonic() - started:.1f} s: {CITIZENS} orders, "
        f"{CITIZENS} payments paid ({len(returned)} at the gateway's answer, {pending} by the job: {len(lost)} "
        f"answers lost, {len(cut)} settling requests cut), {IssuedDocument.objects.count()} documents; "
        f"{len(notifications)} notifications sent, {sum(received.values())} messages received, {duplicates} "
        f"duplicate(s) (same Message-ID), {sum(interrupted.values())} attempt(s) interrupted, "
        f"{len(sink.received) - sum(received.values())} one-time message(s) besides; {counts.kills} "
        f"workers SIGKILLed mid-send, {counts.connections_terminated} database connections terminated"
    )
    assert counts.kills == 2 and duplicates <= HELD_SENDS


@pytest.fixture
def citizens(territories_in_transactional_db):
    return [UserFactory(email=f"citizen{number}@example.ma", preferred_language="fr") for number in range(CITIZENS)]


def test_the_journey_on_database_workers(
    database_backend,
    sink,
    citizens,
    birth_act,  # noqa: F811 (the fixture imported above)
    subprocess_database_url,
    terminate_connections,
    wait_until,
    monkeypatch,
):
    journey(
        database_backend,
        sink,
        citizens,
        birth_act,
        subprocess_database_url,
        terminate_connections,
        wait_until,
        monkeypatch,
    )


def test_the_journey_on_celery_workers(
    celery_backend,
    sink,
    citizens,
    birth_act,  # noqa: F811 (the fixture imported above)
    subprocess_database_url,
    terminate_connections,
    wait_until,
    monkeypatch,
):
    journey(
        celery_backend,
        sink,
        citizens,
        birth_act,
        subprocess_database_url,
        terminate_connections,
        wait_until,
        monkeypatch,
    )
