"""Errors that stay inside, under real faults: a client that vanished while holding an office's number lock, a
lock timeout reaching a person, a signature clicked twice at once, an issue whose connection is terminated (or that
fails) at its last step. PostgreSQL's timeouts and pg_terminate_backend are tried on PostgreSQL only."""

import dataclasses
import logging
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.files.storage import storages
from django.db import DatabaseError, InterfaceError, connection, connections
from django.urls import reverse
from django.utils import timezone

from raqmana.audit.models import AuditEvent
from raqmana.civil_status.constants import ACT_REGISTER, ActKind, ActState
from raqmana.civil_status.models import Act
from raqmana.civil_status.services.acts import draft_act, sign_act
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.services import issue_at_counter
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.civil_status_documents.tests.test_orders import order_url, pay
from raqmana.documents import services as document_services
from raqmana.documents.constants import DOCUMENT_REGISTER
from raqmana.documents.models import IssuedDocument
from raqmana.kernel.sequences import Sequence
from raqmana.payments.constants import PaymentState

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own timeouts, row locks and pg_terminate_backend"
)
REFERENCE = re.compile(r"ERR-[A-Z2-9]{4}-[A-Z2-9]{4}")
RAW_TEXTS = ("lock timeout", "canceling statement", "LINE 1", "INSERT", "SELECT")


def stored_pdfs():
    """The documents' storage is a scratch folder under tests, which also keeps the development keys."""
    return set(Path(storages["documents"].location).rglob("*.pdf"))


@contextmanager
def another_connection(**session_settings):
    """A second connection to the test database (psycopg's own, outside Django), as another process would hold,
    opened with `session_settings` (PostgreSQL settings, in milliseconds) besides the project's own."""
    params = connections["default"].get_connection_params()
    params["options"] = " ".join(
        [params.get("options", ""), *(f"-c {name}={value}" for name, value in session_settings.items())]
    )
    other = psycopg.connect(**params, autocommit=True)
    try:
        yield other
    finally:
        other.close()


def hold_the_signature_locks(holder, act):
    """What a signature of `act` holds until it commits: the act's row and its office's sequence of numbers. The
    holder then sends nothing more, idle in its transaction."""
    with holder.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(f"SELECT id FROM {Act._meta.db_table} WHERE id = %s FOR UPDATE", [act.pk])
        table = Sequence._meta.db_table
        cursor.execute(
            f"INSERT INTO {table} (register, unit_id, year, last_number) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (register, unit_id, year) DO UPDATE SET last_number = {table}.last_number + 1",
            [ACT_REGISTER, act.office_id, timezone.localdate().year],
        )


@pytest.fixture
def draft(territories_in_transactional_db, temara_office, agent, birth_data):
    return draft_act(temara_office, ActKind.BIRTH, birth_data, by=agent)


@pytest.fixture
def birth_act(draft, officer):
    return sign_act(draft, by=officer)


@postgresql_only
@pytest.mark.django_db
def test_every_connection_carries_the_timeouts_and_migrations_lift_two_of_them():
    from raqmana.kernel.database import lift_timeouts_for_migrations, restore_timeouts_after_migrations

    def shown():
        with connection.cursor() as cursor:
            values = {}
            for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
                cursor.execute(f"SHOW {name}")
                values[name] = cursor.fetchone()[0]
            return values

    configured = {"statement_timeout": "30s", "lock_timeout": "15s", "idle_in_transaction_session_timeout": "1min"}
    assert shown() == configured  # the test database was migrated on this very connection: restored since
    lift_timeouts_for_migrations(using="default")
    assert shown() == {**configured, "statement_timeout": "0", "idle_in_transaction_session_timeout": "0"}
    restore_timeouts_after_migrations(using="default")
    assert shown() == configured


@postgresql_only
def test_a_vanished_client_no_longer_keeps_the_act_and_the_number(draft, officer, verified_client):
    """The first signature's client vanished mid-transaction: after the idle timeout (1 s here, 60 s deployed)
    PostgreSQL ends its session, and the officer's retry signs, with the number the vanished one had taken."""
    with another_connection(idle_in_transaction_session_timeout=1000) as vanished:
        hold_the_signature_locks(vanished, draft)
        started = time.monotonic()
        retry = verified_client(officer).post(f"/api/civil-status/acts/{draft.pk}/sign")
        waited = time.monotonic() - started
        assert retry.status_code == 200 and retry.json()["reference"].endswith("/1"), retry.content
        assert 0.8 < waited < 10
        with pytest.raises(psycopg.errors.IdleInTransactionSessionTimeout):
            vanished.execute("SELECT 1")  # PostgreSQL ended the vanished session
    assert Sequence.objects.get(register=ACT_REGISTER).last_number == 1


@postgresql_only
def test_a_lock_timeout_reaching_a_person_is_a_sentence_with_a_reference(
    draft, officer, verified_client, caplog, django_db_blocker
):
    client = verified_client(officer)
    client.raise_request_exception = False
    client.cookies["django_language"] = "en"
    with another_connection() as other, connection.cursor() as cursor:
        hold_the_signature_locks(other, draft)
        cursor.execute("SET lock_timeout = 300")  # 15 s deployed
        try:
            with caplog.at_level(logging.ERROR, logger="raqmana.errors"):
                api = client.post(f"/api/civil-status/acts/{draft.pk}/sign")
                page = client.post(reverse("civil_status:act_sign", args=[draft.pk]))
        finally:
            cursor.execute("RESET lock_timeout")
        other.execute("ROLLBACK")
    assert api.status_code == 500 and api.json()["detail"].startswith("Something went wrong on our side")
    assert page.status_code == 500 and "Something went wrong on our side" in page.text
    references = [record.reference for record in caplog.records if record.name == "raqmana.errors"]
    assert [api.json()["reference"], REFERENCE.search(page.text)[0]] == references
    assert not [raw for raw in RAW_TEXTS for shown in (api.text, page.text) if raw in shown]
    assert "lock timeout" in str(caplog.records[0].exc_info[1])  # the log has what happened
    assert Act.objects.get(pk=draft.pk).state == ActState.DRAFT
    again = client.post(f"/api/civil-status/acts/{draft.pk}/sign")
    assert again.status_code == 200 and again.json()["reference"].endswith("/1")


@postgresql_only
def test_a_signature_clicked_twice_at_once_signs_once(draft, officer, verified_client):
    client = verified_client(officer)
    barrier, answers = threading.Barrier(2), []

    def click():
        try:
            barrier.wait()
            answers.append(client.post(f"/api/civil-status/acts/{draft.pk}/sign"))
        finally:
            connections.close_all()

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    assert [answer.status_code for answer in answers] == [200, 200]
    assert len({answer.json()["reference"] for answer in answers}) == 1 and answers[0].json()["reference"].endswith(
        "/1"
    )
    assert AuditEvent.objects.filter(action="act.signed").count() == 1


@postgresql_only
def test_an_automatic_issue_cut_by_a_lock_timeout_leaves_a_sentence_in_the_order(client, birth_act, caplog):
    """The case a citizen saw: the extract's issue timed out waiting for its office's number of documents."""
    from raqmana.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    client.cookies["django_language"] = "en"
    ordered = client.post(order_url(birth_act), {"requester_relation": "holder", "purpose": "Passport"})
    with another_connection() as holding, connection.cursor() as cursor:
        holding.execute("BEGIN")
        holding.execute(
            f"INSERT INTO {Sequence._meta.db_table} (register, unit_id, year, last_number) VALUES (%s, %s, %s, 1)",
            [DOCUMENT_REGISTER, birth_act.office_id, timezone.localdate().year],
        )
        cursor.execute("SET lock_timeout = 300")
        try:
            with caplog.at_level(logging.ERROR, logger="raqmana.errors"):
                pay(client, ordered)
        finally:
            cursor.execute("RESET lock_timeout")
        holding.execute("ROLLBACK")
    order = DocumentOrder.objects.get()
    assert order.state == OrderState.AWAITING_CHECK and order.payment.state == PaymentState.PAID
    reason = order.transitions.get(to_state=OrderState.AWAITING_CHECK).reason
    (record,) = [record for record in caplog.records if record.name == "raqmana.errors"]
    assert record.reference in reason and not [raw for raw in RAW_TEXTS if raw in reason]
    assert "lock timeout" in str(record.exc_info[1])


def issue_failing_at_its_last_step(monkeypatch, birth_act, agent, temara_office, failure):
    """Issue an extract whose kind's last step (`issued`, after the PDF was drawn, sealed and its record saved)
    runs `failure` first."""
    extract = document_services.kind_of(CivilStatusDocument.BIRTH_EXTRACT)

    def issued(document):
        extract.issued(document)
        failure()

    monkeypatch.setattr(document_services, "kind_of", lambda code: dataclasses.replace(extract, issued=issued))
    return issue_at_counter(
        birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="x"
    )


def assert_nothing_issued(before):
    assert stored_pdfs() == before
    assert not IssuedDocument.objects.exists() and not Sequence.objects.filter(register=DOCUMENT_REGISTER).exists()
    assert not AuditEvent.objects.filter(action="document.issued").exists()


@postgresql_only
def test_an_issue_whose_connection_is_terminated_leaves_no_sealed_pdf(birth_act, agent, temara_office, monkeypatch):
    before = stored_pdfs()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (issuing,) = cursor.fetchone()

    def terminate():
        with another_connection() as other:
            assert other.execute("SELECT pg_terminate_backend(%s)", [issuing]).fetchone() == (True,)

    with pytest.raises((DatabaseError, InterfaceError)):
        issue_failing_at_its_last_step(monkeypatch, birth_act, agent, temara_office, terminate)
    connection.close()  # the next query opens a new connection
    assert_nothing_issued(before)


def test_an_issue_failing_at_its_last_step_leaves_no_sealed_pdf(birth_act, agent, temara_office, monkeypatch):
    before = stored_pdfs()

    def fail():
        raise RuntimeError("the last step fails")

    with pytest.raises(RuntimeError):
        issue_failing_at_its_last_step(monkeypatch, birth_act, agent, temara_office, fail)
    assert_nothing_issued(before)
    monkeypatch.undo()
    document = issue_at_counter(
        birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="x"
    )
    assert stored_pdfs() - before == {Path(document.pdf.path)} and document.number == 1
