"""Acceptance probes of issue 14 (reliable delivery, recovering workers, payments that reconcile, resumable loads,
errors that stay inside, the repeated signature), written as the ministry's testers attack it. A probe that shows a
defect is marked xfail(strict=True) with the defect in its reason; the others stay as regression tests."""

import csv
import os
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.tasks import TaskResultStatus, task
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from raqmana.access.roles import Role
from raqmana.access.services import grant_role
from raqmana.accounts.tests.factories import UserFactory
from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ActKind, ActState
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status.services.bulk_load import load_historical_acts
from raqmana.civil_status.synthetic import ActGenerator
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.services import place_order
from raqmana.documents.models import IssuedDocument
from raqmana.kernel import periodic, workers
from raqmana.kernel.models import PeriodicJobRun
from raqmana.kernel.tasks import worker_heartbeat
from raqmana.notifications import services as outbox
from raqmana.notifications.models import AttemptOutcome, Channel, Notification, NotificationAttempt
from raqmana.payments import services as payment_services
from raqmana.payments.confirmations import confirm_payment, settle_pending_payments
from raqmana.payments.constants import PaymentState
from raqmana.payments.models import Payment
from raqmana.payments.providers import SimulatedProvider
from raqmana.payments.tests.conftest import gateway_outcome
from raqmana.territories.models import CivilStatusOffice

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
UNDELIVERED = reverse("portal:undelivered_notifications")
CONTEXT = {"contact": "amina@example.ma", "login": "https://r.ma/login", "reset": "https://r.ma/reset"}


def resend_url(notification):
    return reverse("portal:resend_notification", args=[notification.pk])


def person_with(role, **place):
    person = UserFactory()
    grant_role(person, role, by=None, reason="test", **place)
    return person


def offices():
    return (
        CivilStatusOffice.objects.get(territory__code="04.501.01.07"),  # Témara
        CivilStatusOffice.objects.get(territory__code="04.501.01.05"),  # Skhirate
    )


def a_notification(unit, **state):
    return Notification.objects.create(
        user=UserFactory(full_name="Citizen"),
        unit=unit,
        kind="civil_status_documents.order_issued",
        channel=Channel.EMAIL,
        address=f"citizen-{Notification.objects.count()}@example.ma",
        subject="Raqmana: document",
        body="B",
        **state,
    )


def given_up(unit):
    return a_notification(unit, attempts=6, error="smtp down", given_up_at=timezone.now())


@pytest.fixture
def no_sms(settings):
    settings.RAQMANA_SMS_PROVIDER = ""


def written(person):
    """A notification written, its queued send lost (the sweep takes it up)."""
    (notification,) = outbox.notify(person, "accounts.signup_attempted", CONTEXT)
    return notification


# --- The undelivered notifications page and its resend ---------------------------------------------------------


def test_an_officer_of_another_office_cannot_see_nor_resend_by_guessing_ids(verified_client):
    temara, skhirate = offices()
    theirs = given_up(temara)
    client = verified_client(person_with(Role.CIVIL_STATUS_OFFICER, unit=skhirate))
    assert theirs.pk not in {row.pk for row in client.get(UNDELIVERED).context["notifications"]}
    for pk in (theirs.pk, theirs.pk + 1000, 0):
        url = reverse("portal:resend_notification", args=[pk])
        assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.given_up_at is not None and theirs.attempts == 6
    assert not AuditEvent.objects.filter(action="notification.resent").exists()


def test_a_commune_president_of_another_commune_cannot_resend():
    temara, skhirate = offices()
    theirs = given_up(temara)
    president = person_with(Role.COMMUNE_PRESIDENT, territory=skhirate.territory)
    from raqmana.portal.selectors import undelivered_notifications

    assert not undelivered_notifications(president).filter(pk=theirs.pk).exists()


def test_an_agent_without_the_permission_is_refused_on_both_methods(verified_client):
    temara, _skhirate = offices()
    theirs = given_up(temara)
    client = verified_client(person_with(Role.CIVIL_STATUS_AGENT, unit=temara))
    assert client.get(resend_url(theirs)).status_code == 403
    assert client.post(resend_url(theirs)).status_code == 403
    assert client.get(UNDELIVERED).status_code == 403


def test_a_citizen_and_an_anonymous_visitor_are_kept_out(client, verified_client):
    temara, _skhirate = offices()
    theirs = given_up(temara)
    anonymous = client.post(resend_url(theirs))
    assert anonymous.status_code == 302 and "login" in anonymous.url
    citizen = verified_client(UserFactory())
    assert citizen.post(resend_url(theirs)).status_code == 403


def test_other_methods_than_get_and_post_are_refused(verified_client):
    temara, _skhirate = offices()
    theirs = given_up(temara)
    client = verified_client(person_with(Role.CIVIL_STATUS_OFFICER, unit=temara))
    assert client.put(resend_url(theirs)).status_code == 405
    assert client.delete(resend_url(theirs)).status_code == 405
    theirs.refresh_from_db()
    assert theirs.given_up_at is not None


def test_a_resend_without_the_csrf_token_changes_nothing(verified_client):
    temara, _skhirate = offices()
    theirs = given_up(temara)
    client = verified_client(person_with(Role.CIVIL_STATUS_OFFICER, unit=temara))
    client.handler.enforce_csrf_checks = True
    assert client.post(resend_url(theirs)).status_code == 403
    theirs.refresh_from_db()
    assert theirs.given_up_at is not None and theirs.attempts == 6


def test_a_sent_notification_cannot_be_resent_through_the_service_either():
    temara, _skhirate = offices()
    sent = a_notification(temara, attempts=1, sent_at=timezone.now())
    with pytest.raises(ValidationError):
        outbox.resend(sent, by=UserFactory(is_superuser=True))
    sent.refresh_from_db()
    assert sent.attempts == 1


def test_a_notification_sent_between_the_list_and_the_confirmation_is_not_resent(verified_client):
    temara, _skhirate = offices()
    failing = a_notification(temara, attempts=2, error="smtp down", next_attempt_at=timezone.now())
    client = verified_client(person_with(Role.CIVIL_STATUS_OFFICER, unit=temara))
    assert client.get(resend_url(failing)).status_code == 200
    Notification.objects.filter(pk=failing.pk).update(sent_at=timezone.now())  # the sweep sent it meanwhile
    assert client.post(resend_url(failing)).status_code == 404
    failing.refresh_from_db()
    assert failing.attempts == 2


def test_a_resend_of_a_row_leased_mid_send_is_refused_with_a_message(verified_client, no_sms):
    temara, _skhirate = offices()
    late = a_notification(temara)
    Notification.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert outbox.claim(late.pk) is not None  # a worker is sending it now
    client = verified_client(person_with(Role.CIVIL_STATUS_OFFICER, unit=temara))
    client.cookies["django_language"] = "en"
    response = client.post(resend_url(late), follow=True)
    assert response.status_code == 200 and "An attempt to send this notification is under way" in response.text
    late.refresh_from_db()
    assert late.attempts == 1 and late.next_attempt_at > timezone.now()


def test_a_resend_asked_while_the_sweep_sends_is_refused_and_the_message_leaves_once(no_sms, monkeypatch):
    temara, _skhirate = offices()
    failing = a_notification(temara, attempts=2, error="smtp down", next_attempt_at=timezone.now())
    officer = person_with(Role.CIVIL_STATUS_OFFICER, unit=temara)
    refusals = []
    send_email = outbox.send_email

    def resend_during_send(*args, **kwargs):
        try:
            outbox.resend(Notification.objects.get(pk=failing.pk), by=officer)
        except ValidationError as refusal:
            refusals.append(refusal)
        send_email(*args, **kwargs)

    monkeypatch.setattr(outbox, "send_email", resend_during_send)
    assert outbox.send_due_notifications() == 1
    monkeypatch.setattr(outbox, "send_email", send_email)
    assert outbox.send_due_notifications() == 0
    assert len(refusals) == 1 and len(mail.outbox) == 1


# --- The outbox under races and odd rows --------------------------------------------------------------------------


def test_the_deliver_task_and_the_sweep_together_send_once(no_sms, monkeypatch):
    notification = written(UserFactory(email="amina@example.ma"))
    send_email = outbox.send_email

    def sweep_during_send(*args, **kwargs):
        assert outbox.send_due_notifications() == 0  # the row is leased: the sweep leaves it
        send_email(*args, **kwargs)

    monkeypatch.setattr(outbox, "send_email", sweep_during_send)
    assert outbox.attempt_delivery(notification.pk)
    assert len(mail.outbox) == 1


def test_a_slow_send_outliving_its_lease_is_not_sent_again_while_its_worker_lives(no_sms, monkeypatch):
    notification = written(UserFactory(email="amina@example.ma"))
    send_email = outbox.send_email
    depth = []

    def slow_send(*args, **kwargs):
        depth.append(1)
        if len(depth) < 3:  # this send hangs past its lease; the sweeps of the next minutes run meanwhile
            Notification.objects.filter(pk=notification.pk).update(
                next_attempt_at=timezone.now() - timedelta(seconds=1)
            )
            outbox.send_due_notifications()
        send_email(*args, **kwargs)

    monkeypatch.setattr(outbox, "send_email", slow_send)
    outbox.attempt_delivery(notification.pk)
    assert len(mail.outbox) <= 2, f"sent {len(mail.outbox)} times"
    assert len(mail.outbox) == 1


def test_a_very_long_provider_error_is_cut_and_the_row_retried(no_sms, monkeypatch):
    notification = written(UserFactory(email="amina@example.ma"))

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("ش" * 10_000)

    monkeypatch.setattr(outbox, "send_email", refuse)
    assert not outbox.attempt_delivery(notification.pk)
    notification.refresh_from_db()
    assert len(notification.error) == 300 and notification.next_attempt_at > timezone.now()
    assert NotificationAttempt.objects.get(notification=notification).outcome == AttemptOutcome.FAILED


def test_a_provider_error_with_a_nul_byte_is_recorded_and_the_sweep_goes_on(no_sms, monkeypatch):
    poisoned = written(UserFactory(email="first@example.ma"))
    healthy = written(UserFactory(email="second@example.ma"))
    send_email = outbox.send_email

    def refuse_the_first(address, *args, **kwargs):
        if address == "first@example.ma":
            raise ConnectionRefusedError("550 bad\x00mailbox")
        send_email(address, *args, **kwargs)

    monkeypatch.setattr(outbox, "send_email", refuse_the_first)
    outbox.send_due_notifications()
    poisoned.refresh_from_db()
    healthy.refresh_from_db()
    assert poisoned.error.startswith("550 bad") and poisoned.sent_at is None
    assert healthy.sent_at is not None


def test_a_recipient_reached_by_no_channel_is_kept_given_up_and_a_resend_fails_gracefully(no_sms, caplog):
    phone_only = UserFactory(email=None, phone="+212600000001")
    (notification,) = outbox.notify(phone_only, "accounts.signup_attempted", CONTEXT)
    assert notification.given_up_at is not None and notification.error
    assert notification.address == "+212600000001"
    assert outbox.send_due_notifications() == 0
    outbox.resend(notification, by=UserFactory(is_superuser=True))  # no provider yet: it fails, recorded
    assert outbox.send_due_notifications() == 0
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.sent_at is None and notification.error


def test_a_given_up_row_is_never_claimed_by_a_sweep_or_a_late_task(no_sms):
    temara, _skhirate = offices()
    row = given_up(temara)
    assert outbox.claim(row.pk) is None and not outbox.attempt_delivery(row.pk)
    assert outbox.send_due_notifications() == 0 and len(mail.outbox) == 0


# --- The recovering worker and the periodic scheduler ----------------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_worker(monkeypatch):
    """The database backend; the worker keeps the test's connection and never sleeps."""
    monkeypatch.setattr(workers, "close_old_connections", lambda: None)
    monkeypatch.setattr(workers, "forget_connections", lambda: None)
    monkeypatch.setattr(workers.time, "sleep", lambda seconds: None)
    with override_settings(TASKS=DATABASE_TASKS, RAQMANA_TASK_TIMEOUT=60, RAQMANA_TASK_MAX_ATTEMPTS=3):
        yield


def a_worker(worker_id):
    return workers.RecoveringWorker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
    )


long_task_runs = []


@task
def long_task():
    """Outlives the task timeout on its first run: while it still runs, the takeback scan is due and a second
    worker polls."""
    long_task_runs.append(1)
    if len(long_task_runs) == 1:
        workers.take_back_stuck_tasks(now=timezone.now() + timedelta(seconds=61))
        a_worker("second").run()
    return len(long_task_runs)


def test_a_task_running_longer_than_the_timeout_is_not_run_twice_while_its_worker_lives(database_worker):
    long_task_runs.clear()
    result = long_task.enqueue().db_result
    a_worker("first").run()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert len(long_task_runs) == 1


def test_the_attempt_cap_counts_every_claim_even_by_the_same_worker(database_worker):
    result = worker_heartbeat.enqueue("lost").db_result
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5), worker_ids=["w", "w", "w"]
    )
    assert workers.take_back_stuck_tasks().given_up == [str(result.pk)]
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    a_worker("third").run()  # a failed task is not run again
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED


def test_two_takebacks_at_once_put_a_task_back_once(database_worker):
    result = worker_heartbeat.enqueue("lost").db_result
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5), worker_ids=["dead"]
    )
    first, second = workers.take_back_stuck_tasks(), workers.take_back_stuck_tasks()
    assert first.put_back == [str(result.pk)] and second.put_back == [] and second.given_up == []


def test_two_schedulers_queue_a_job_once_per_interval(database_worker):
    now = timezone.now()
    first = periodic.enqueue_due_jobs(now)
    second = periodic.enqueue_due_jobs(now + timedelta(seconds=5))  # the other scheduler, a moment later
    assert first and second == []
    assert PeriodicJobRun.objects.count() == len(periodic.periodic_jobs())
    queued = DBTaskResult.objects.values_list("task_path", flat=True)
    assert len(queued) == len(set(queued)) == len(first)


# --- Payments that reconcile ---------------------------------------------------------------------------------------


def an_order(citizen, act):
    return place_order(
        citizen, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Passport"
    )


def check_url(order):
    return reverse("documents:order_check_payment", args=[order.pk])


def past_threshold(order, minutes=11):
    Payment.objects.filter(pk=order.payment_id).update(created_at=timezone.now() - timedelta(minutes=minutes))


def documents_of(order):
    return IssuedDocument.objects.filter(subject_id=str(order.act.pk), requester=order.citizen).count()


def test_check_now_on_someone_elses_order_is_not_found_and_asks_nothing(client, birth_act, monkeypatch):
    owner, stranger = UserFactory(), UserFactory()
    order = an_order(owner, birth_act)
    past_threshold(order)
    asked = []
    monkeypatch.setattr(SimulatedProvider, "status", lambda provider, payment: asked.append(payment))
    client.force_login(stranger)
    assert client.post(check_url(order)).status_code == 404
    assert client.get(check_url(order)).status_code in (404, 405)
    assert asked == []


def test_check_now_is_post_only(client, birth_act):
    citizen = UserFactory()
    order = an_order(citizen, birth_act)
    client.force_login(citizen)
    assert client.get(check_url(order)).status_code == 405


def test_many_clicks_on_check_now_are_limited_politely_never_a_500(client, birth_act, monkeypatch):
    citizen = UserFactory()
    order = an_order(citizen, birth_act)
    past_threshold(order)
    asked = []
    status = SimulatedProvider.status
    monkeypatch.setattr(
        SimulatedProvider, "status", lambda provider, payment: asked.append(1) or status(provider, payment)
    )
    client.force_login(citizen)
    answers = [client.post(check_url(order)).status_code for _ in range(15)]
    assert set(answers) <= {302, 429} and answers[:10] == [302] * 10 and answers[-1] == 429
    assert len(asked) == 10


def test_the_job_and_the_gateways_return_at_the_same_moment_issue_one_document(
    birth_act, monkeypatch, django_capture_on_commit_callbacks
):
    citizen = UserFactory()
    order = an_order(citizen, birth_act)
    past_threshold(order)
    outcome = gateway_outcome(order.payment)  # the money is taken
    status = SimulatedProvider.status

    def the_return_lands_while_the_job_asks(provider, payment):
        answer = status(provider, payment)
        payment_services.settle(outcome)  # the gateway's return, settled between the job's question and its settle
        return answer

    monkeypatch.setattr(SimulatedProvider, "status", the_return_lands_while_the_job_asks)
    with django_capture_on_commit_callbacks(execute=True):
        sweep = settle_pending_payments()
    order.refresh_from_db()
    assert sweep.errors == 0 and order.state == OrderState.ISSUED and documents_of(order) == 1
    assert order.payment.transitions.filter(to_state=PaymentState.PAID).count() == 1
    assert AuditEvent.objects.filter(action="payment.paid").count() == 1


def test_a_payment_the_job_finds_paid_with_another_amount_is_a_mismatch_and_issues_nothing(
    client, birth_act, django_capture_on_commit_callbacks
):
    citizen = UserFactory(preferred_language="en")
    order = an_order(citizen, birth_act)
    past_threshold(order)
    SimulatedProvider().answer(order.payment, True, amount=Decimal("0.50"))  # the answer never arrives
    with django_capture_on_commit_callbacks(execute=True):
        sweep = settle_pending_payments()
    order.refresh_from_db()
    assert sweep.settled == 1 and order.payment.state == PaymentState.MISMATCHED
    assert documents_of(order) == 0 and AuditEvent.objects.filter(action="payment.mismatched").count() == 1
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("documents:order", args=[order.pk])).text
    assert "Payment received, document on its way." not in page
    assert "Payment being confirmed with the bank." not in page


def test_a_mismatched_payment_is_told_on_the_order_page_and_not_asked_again(
    client, birth_act, django_capture_on_commit_callbacks
):
    citizen = UserFactory(preferred_language="en")
    order = an_order(citizen, birth_act)
    SimulatedProvider().answer(order.payment, True, amount=Decimal("0.50"))
    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(order.payment)
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("documents:order", args=[order.pk])).text
    assert reverse("documents:order_pay", args=[order.pk]) not in page and check_url(order) not in page
    assert '<bdi dir="ltr">0.50</bdi>\xa0MAD' in page and "you need not pay again" in page


def test_check_now_when_the_provider_breaks_unexpectedly_shows_a_reference_not_the_error(birth_act, monkeypatch):
    from django.test import Client

    citizen = UserFactory()
    order = an_order(citizen, birth_act)
    past_threshold(order)

    def broken(provider, payment):
        raise RuntimeError("canceling statement due to lock timeout LINE 1: INSERT INTO documents_issueddocument")

    monkeypatch.setattr(SimulatedProvider, "status", broken)
    client = Client(raise_request_exception=False)
    client.force_login(citizen)
    client.cookies["django_language"] = "fr"
    response = client.post(check_url(order))
    assert response.status_code == 500
    assert "INSERT" not in response.text and "lock timeout" not in response.text and "ERR-" in response.text


def test_money_arriving_for_a_payment_expired_by_the_job_is_not_lost(birth_act, settings):
    citizen = UserFactory()
    order = an_order(citizen, birth_act)
    payment = order.payment
    gateway = SimulatedProvider()
    gateway.abandon(payment)
    later = timezone.now() + timedelta(days=settings.RAQMANA_PAYMENT_EXPIRY_DAYS, minutes=1)
    assert confirm_payment(payment, now=later).state == PaymentState.CANCELLED
    gateway.answer(payment, True)  # the payer came back to the bank's page and paid
    settle_pending_payments()
    payment.refresh_from_db()
    order.refresh_from_db()
    # The money is never lost: issued for the order still waiting, or given back.
    assert (payment.state, documents_of(order)) in {(PaymentState.PAID, 1), (PaymentState.REFUNDED, 0)}


# --- Resumable loads ---------------------------------------------------------------------------------------------


@pytest.fixture
def loader(agent):
    agent.email = "salma.bennani@example.org"
    agent.save(update_fields=["email"])
    return agent


@pytest.fixture
def rows(temara_office, agent):
    temara = temara_office.territory
    generator = ActGenerator([temara], {temara.pk: temara_office.pk}, seed=11)

    def drawn(count, start=1):
        return [
            {**generator.birth(agent.pk), "year": 1985, "register_volume": "1", "paper_number": str(number)}
            for number in range(start, start + count)
        ]

    return drawn


def file_lines(rows):
    from raqmana.civil_status.tests.test_load_register import file_values

    return [file_values(row) for row in rows]


def csv_text(rows):
    lines = file_lines(rows)
    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=list(lines[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue()


def load(path, batch_size=10):
    out = StringIO()
    with translation.override("en"):
        call_command(
            "load_register", str(path), "--by", "salma.bennani@example.org", "--reason", "Digitising",
            "--batch-size", str(batch_size), stdout=out,
        )  # fmt: skip
    return out.getvalue().splitlines()


def test_a_csv_saved_with_a_bom_loads(tmp_path, rows, loader):
    register = tmp_path / "bom.csv"
    register.write_bytes(csv_text(rows(3)).encode("utf-8-sig"))
    assert load(register)[-1] == "Done. Loaded: 3; already in the register: 0; repeated in the file: 0."


@pytest.mark.parametrize("encoding", ["cp1256", "utf-16"])
def test_a_file_in_another_encoding_is_named_not_a_traceback(tmp_path, rows, loader, encoding):
    register = tmp_path / "windows.csv"
    register.write_bytes(csv_text(rows(3)).encode(encoding, errors="replace"))
    with pytest.raises(CommandError, match="not UTF-8"):
        load(register)
    assert not Act.objects.exists()


def test_a_nul_byte_in_a_cell_is_refused_naming_its_line(tmp_path, rows, loader):
    drawn = rows(2)
    drawn[1]["declarant_name"] = "محمد\x00العلوي"
    register = tmp_path / "nul.csv"
    register.write_text(csv_text(drawn), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Line 3, declarant_name: .*U\+0000"):
        load(register)
    # PostgreSQL takes no NUL in a query either: the acts' names are read back instead.
    assert not any("\x00" in name for name in Act.objects.values_list("declarant_name", flat=True))


def test_a_huge_field_is_named_not_a_traceback(tmp_path, rows, loader):
    drawn = rows(2)
    drawn[1]["declarant_name"] = "م" * 200_000
    register = tmp_path / "huge.csv"
    register.write_text(csv_text(drawn), encoding="utf-8")
    with pytest.raises(CommandError, match="Line 3"):
        load(register)
    assert not Act.objects.exists()


def test_a_formula_like_cell_is_not_loaded_as_a_name(tmp_path, rows, loader):
    drawn = rows(1)
    drawn[0]["first_name_latin"] = '=HYPERLINK("http://evil","x")'
    register = tmp_path / "formula.csv"
    register.write_text(csv_text(drawn), encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2"):
        load(register)


def test_a_row_for_an_office_that_does_not_exist_is_named(tmp_path, rows, loader):
    lines = file_lines(rows(1))
    lines[0]["office"] = "00.000.00.00"
    register = tmp_path / "office.csv"
    out = StringIO()
    csv.DictWriter(out, fieldnames=list(lines[0])).writeheader()
    csv.DictWriter(out, fieldnames=list(lines[0])).writerows(lines)
    register.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(CommandError, match=r"No civil status office has the code 00\.000\.00\.00"):
        load(register)


def test_the_same_paper_act_in_two_files_is_loaded_once(tmp_path, rows, loader):
    drawn = rows(4)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(csv_text(drawn[:3]), encoding="utf-8")
    second.write_text(csv_text(drawn[2:]), encoding="utf-8")
    load(first)
    assert load(second)[-1] == "Done. Loaded: 1; already in the register: 1; repeated in the file: 0."
    assert Act.objects.count() == 4


def test_the_same_act_in_two_volumes_is_refused_not_duplicated(tmp_path, rows, loader):
    drawn = rows(2)
    again = {**drawn[1], "register_volume": "2"}
    register = tmp_path / "volumes.csv"
    register.write_text(csv_text([*drawn, again]), encoding="utf-8")
    with pytest.raises(CommandError, match="same number"):
        load(register)
    assert Act.objects.count() == 0 or Act.objects.filter(number=2).count() == 1


def test_a_number_in_arabic_indic_digits_then_in_western_digits_is_not_loaded_twice(rows, loader):
    (arabic,) = rows(1, start=7)
    western = {**arabic, "paper_number": "7"}
    arabic["paper_number"] = "٧"
    load_historical_acts([arabic], by=loader, reason="first run")
    with pytest.raises(ValidationError):
        load_historical_acts([western], by=loader, reason="second run, the file typed again")
    assert Act.objects.filter(number=7).count() == 1


@pytest.mark.parametrize("paper_number", ["-5", "abc", "12.5"])
def test_a_paper_number_that_is_no_number_is_refused(rows, loader, paper_number):
    (row,) = rows(1)
    row["paper_number"] = paper_number
    with pytest.raises(ValidationError):
        load_historical_acts([row], by=loader, reason="typo")


def test_bis_spelled_two_ways_in_two_runs_is_the_same_paper_act(rows, loader):
    (row,) = rows(1)
    load_historical_acts([{**row, "paper_number": "12  مكرر"}], by=loader, reason="first run")
    result = load_historical_acts([{**row, "paper_number": "12 مكرر"}], by=loader, reason="again")
    assert result.loaded == 0 and result.already_loaded == [1]


def test_a_paper_act_of_this_year_below_an_electronic_number_is_refused_and_above_raises_the_counter(
    temara_office, agent, officer, birth_data, rows, loader
):
    signed = [sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer) for _ in range(2)]
    year = signed[0].year
    (low,) = rows(1, start=2)
    (high,) = rows(1, start=50)
    with pytest.raises(ValidationError):
        load_historical_acts([{**low, "year": year}], by=loader, reason="current year")
    load_historical_acts([{**high, "year": year}], by=loader, reason="current year")
    following = sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    assert following.number == 51


# --- The repeated signature ----------------------------------------------------------------------------------------


@pytest.fixture
def signed(temara_office, agent, officer, birth_data):
    return sign_act(draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent), by=officer)


@pytest.fixture
def skhirate_officer():
    return person_with(Role.CIVIL_STATUS_OFFICER, unit=offices()[1])


def test_an_officer_of_another_office_signing_a_signed_act_is_refused_by_the_service(signed, skhirate_officer):
    with pytest.raises(PermissionDenied):
        sign_act(signed, by=skhirate_officer)


def test_an_officer_of_another_office_gets_no_number_from_the_api(signed, skhirate_officer, verified_client):
    answer = verified_client(skhirate_officer).post(f"/api/civil-status/acts/{signed.pk}/sign")
    assert answer.status_code in (403, 404)
    assert signed.reference not in answer.text and str(signed.idcs) not in answer.text


def test_an_officer_of_another_office_gets_no_number_from_the_page(signed, skhirate_officer, verified_client):
    client = verified_client(skhirate_officer)
    client.cookies["django_language"] = "en"
    answer = client.post(reverse("civil_status:act_sign", args=[signed.pk]), follow=True)
    assert answer.status_code in (200, 403, 404)
    assert "was already signed" not in answer.text


def test_an_agent_of_the_acts_office_gets_no_already_signed_answer(signed, agent, verified_client):
    client = verified_client(agent)
    client.cookies["django_language"] = "en"
    answer = client.post(reverse("civil_status:act_sign", args=[signed.pk]), follow=True)
    assert "was already signed" not in answer.text


def test_a_second_officer_of_the_office_gets_the_same_number_and_nothing_is_recorded(
    signed, temara_office, verified_client
):
    second = person_with(Role.CIVIL_STATUS_OFFICER, unit=temara_office)
    answer = verified_client(second).post(f"/api/civil-status/acts/{signed.pk}/sign")
    assert answer.status_code == 200 and answer.json()["reference"] == signed.reference
    assert AuditEvent.objects.filter(action="act.signed").count() == 1


def test_an_abandoned_draft_is_refused_on_the_page_too(temara_office, agent, officer, birth_data, verified_client):
    from raqmana.civil_status.services.acts import abandon_draft

    draft = draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)
    abandon_draft(draft, by=officer, reason="declared twice")
    client = verified_client(officer)
    client.cookies["django_language"] = "en"
    answer = client.post(reverse("civil_status:act_sign", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.state == ActState.ABANDONED and draft.number is None and "was already signed" not in answer.text


# --- Errors that stay inside, and the database's own timeouts -------------------------------------------------------


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL's own timeouts")
def test_every_connection_has_the_statement_lock_and_idle_timeouts():
    with connection.cursor() as cursor:
        shown = {}
        for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    assert shown == {"statement_timeout": "30s", "lock_timeout": "15s", "idle_in_transaction_session_timeout": "1min"}


@pytest.mark.parametrize(("language", "words"), [("ar", 'lang="ar"'), ("fr", 'lang="fr"')])
def test_the_500_page_keeps_the_error_inside_in_the_persons_language(monkeypatch, language, words):
    from django.test import Client

    def broken(*args, **kwargs):
        raise RuntimeError("LINE 1: INSERT INTO documents_issueddocument secret-path /srv/raqmana")

    monkeypatch.setattr("raqmana.portal.views.render", broken)
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    page = client.get("/")
    assert page.status_code == 500 and "INSERT" not in page.text and "/srv/" not in page.text
    assert "ERR-" in page.text and words in page.text
