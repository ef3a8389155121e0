"""Connections reused across requests (settings.DATABASES): kept by each process, or pooled with RAQMANA_DB_POOL=1.
Either way a reused connection keeps the timeouts every connection is opened with, and one PostgreSQL ended is
replaced, never used broken."""

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection

ON_POSTGRESQL = connection.vendor == "postgresql"
pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL's backends, timeouts and pool")
POOLED = pytest.mark.skipif(not settings.DATABASE_POOL, reason="run with RAQMANA_DB_POOL=1")
KEPT = pytest.mark.skipif(settings.DATABASE_POOL, reason="the pool replaces persistent connections")
OPENED_WITH = {"statement_timeout": "30s", "lock_timeout": "15s", "idle_in_transaction_session_timeout": "1min"}


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def timeouts() -> dict[str, str]:
    with connection.cursor() as cursor:
        shown = {}
        for name in OPENED_WITH:
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    return shown


def terminate(pid: int) -> None:
    params = {key: value for key, value in connection.get_connection_params().items() if key != "pool"}
    with psycopg.connect(**params, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


@KEPT
def test_connections_are_kept_and_checked():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0 and settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]


@KEPT
@pytest.mark.django_db(transaction=True)
def test_requests_reuse_the_connection_with_its_timeouts(client):
    assert client.get("/").status_code == 200
    first = backend_pid()
    for _ in range(5):
        assert client.get("/").status_code == 200
    assert backend_pid() == first
    assert timeouts() == OPENED_WITH


@KEPT
@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_postgresql_ended_is_replaced(client):
    assert client.get("/").status_code == 200
    killed = backend_pid()
    terminate(killed)
    # What Django runs when a request starts (the test client leaves it out): the next query checks the connection.
    close_old_connections()
    assert backend_pid() != killed
    assert client.get("/").status_code == 200
    assert timeouts() == OPENED_WITH


@POOLED
def test_the_pool_checks_connections():
    assert connection.pool is not None
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0 and settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]


@POOLED
@pytest.mark.django_db(transaction=True)
def test_pooled_connections_are_reused_with_their_timeouts(client):
    client.get("/")  # the end of a request gives its connection back to the pool
    opened = connection.pool.get_stats().get("connections_num", 0)
    for _ in range(10):
        assert client.get("/").status_code == 200
        backend_pid()
        connection.close()
    assert connection.pool.get_stats().get("connections_num", 0) == opened
    assert timeouts() == OPENED_WITH


@POOLED
@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_postgresql_ended_is_discarded(client):
    killed = backend_pid()
    connection.close()
    terminate(killed)
    assert client.get("/").status_code == 200
    assert backend_pid() != killed
    assert timeouts() == OPENED_WITH
