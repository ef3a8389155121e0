import contextlib
import os
import threading

import pytest
from django.core.cache import cache, caches
from django.core.management.color import no_style
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, connections, transaction
from django.test.testcases import LiveServerThread
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from raqmana.kernel import reference_data
from raqmana.kernel.tests.browsers import CHROMIUM, chromium_path
from raqmana.payments.models import Fee
from raqmana.territories.models import AdministrativeUnit, Territory, TerritoryLink
from raqmana.territories.services import import_territories

pytest_plugins = ["raqmana.civil_status.tests.fixtures", "raqmana.access.tests.fixtures"]

# Playwright's sync API runs an event loop in the test thread; the live server's database calls happen in its own
# thread, and the test's own ORM calls are plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    skip = pytest.mark.skip(reason=f"Chromium is absent ({CHROMIUM}): apt-get install chromium to run browser tests")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test of the run (two Playwright drivers in one thread would not start)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update"],
        )
        yield browser
        browser.close()


class OneAtATimeOnSharedMemoryDatabase(ThreadedWSGIServer):
    """The live server for browser tests, one request at a time when the test database is SQLite in memory.

    Every request thread uses the test's own connection to that database (pytest-django hands it over; started before
    the database existed, the server's threads opened connections of their own to SQLite's shared cache instead,
    whose locks fail at once). A sqlite3 connection used by two threads at once fails ("bad parameter or other API
    misuse"), and its transaction is that of the one connection: a form's save as one types and the click that
    files it would run into each other. A request holds the lock until its whole answer is read (a streamed answer
    reads the database as it goes); the test's own statements take it too (`statements_wait_for_the_live_server`), so
    they wait for a request in flight. A test holding a transaction open across a browser action would share it
    with the request: none does.
    """

    lock = threading.RLock()

    def set_app(self, application):
        super().set_app(self.one_request_at_a_time(application) if in_memory_databases() else application)

    @classmethod
    def one_request_at_a_time(cls, application):
        def serialised(environ, start_response):
            with cls.lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return serialised

    @classmethod
    def one_statement_at_a_time(cls, execute, sql, params, many, context):
        with cls.lock:
            return execute(sql, params, many, context)


def in_memory_databases():
    return [
        connection for connection in connections.all() if connection.vendor == "sqlite" and connection.is_in_memory_db()
    ]


LiveServerThread.server_class = OneAtATimeOnSharedMemoryDatabase


# What the migrations and the territories' import wrote, kept to be written again after a transactional test emptied
# the database: its rows, by model, in the order they are written back.
REFERENCE_ROWS = {Territory: [], TerritoryLink: [], AdministrativeUnit: [], Fee: []}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The whole HCP hierarchy, loaded once per test database: tests run against the real territories."""
    with django_db_blocker.unblock():
        import_territories()
        for model, rows in REFERENCE_ROWS.items():
            rows[:] = model.objects.values()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate limits count per client address in the cache, and every test client comes from 127.0.0.1. The reference
    data and what is known of people, kept in the process, go with it."""
    cache.clear()
    caches["local"].clear()
    caches["people"].clear()
    caches["pages"].clear()
    reference_data.forget_versions()


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server (one for the run), started once the test database exists: whether it is SQLite
    in memory decides how the server answers."""
    return live_server


@pytest.fixture(autouse=True)
def statements_wait_for_the_live_server(request):
    """In a test that drives the live server, the test's own statements wait for a request in flight (taken for
    each test, on the connection the test uses then)."""
    with contextlib.ExitStack() as wrappers:
        if "live_server" in request.fixturenames:
            for connection in in_memory_databases():
                wrapper = OneAtATimeOnSharedMemoryDatabase.one_statement_at_a_time
                wrappers.enter_context(connection.execute_wrapper(wrapper))
        yield


@pytest.fixture
def committed():
    """What the test wrote so far, as if its transaction had committed: the on-commit callbacks run and are gone
    (pytest-django keeps each test in a transaction that never commits; what is kept of a person is not kept while
    a change of theirs waits for a commit, kernel/personal_cache.py)."""

    def commit(using="default"):
        pending = connections[using].run_on_commit
        while pending:
            _savepoints, callback, _robust = pending.pop(0)
            callback()

    return commit


@pytest.fixture
def verified_client(client):
    """A test client signed in as `user` with a confirmed authenticator, as after a real TOTP check."""

    def sign_in(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        client.force_login(user, backend="raqmana.accounts.backends.EmailOrPhoneBackend")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


def restore_reference_data():
    """Transactional tests (live server) empty the database after them: write the hierarchy (territories, their links,
    the civil status offices) and the fees the migrations create again if missing, as they were (a third of a second,
    where importing the territories again took seconds on PostgreSQL)."""
    with transaction.atomic():
        for model, rows in REFERENCE_ROWS.items():
            if not model.objects.exists():
                model.objects.bulk_create((model(**row) for row in rows), batch_size=2000)
        # Written with their ids: each table's sequence is set past them, as loaddata does (a migration test that
        # created the tables again started their sequences over).
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(REFERENCE_ROWS)):
                cursor.execute(statement)
    reference_data.changed("territories")


@pytest.fixture
def territories_in_transactional_db(transactional_db):
    restore_reference_data()


@pytest.fixture(scope="session")
def reference_data_restorer():
    """restore_reference_data, for a fixture wider than one test that commits data of its own."""
    return restore_reference_data
