"""The timeouts PostgreSQL applies to every connection (settings.DATABASE_TIMEOUTS) are for requests and tasks: a
migration may rewrite a table of millions of acts in one statement, and its Python steps pause between statements.
The connection that migrates runs without the statement and idle-in-transaction timeouts, and gets them back once
the migrations ran. It keeps the lock timeout: a migration waiting behind a long transaction fails and is run again,
rather than stopping every request queued behind its lock."""

from typing import Any

from django.db import connections

LIFTED_FOR_MIGRATIONS = ("statement_timeout", "idle_in_transaction_session_timeout")


def lift_timeouts_for_migrations(using: str, **kwargs: Any) -> None:
    """pre_migrate: sent before the migrations run, on the connection they run on."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for setting in LIFTED_FOR_MIGRATIONS:
                cursor.execute(f"SET {setting} = 0")


def restore_timeouts_after_migrations(using: str, **kwargs: Any) -> None:
    """post_migrate: back to the values the connection was opened with."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for setting in LIFTED_FOR_MIGRATIONS:
                cursor.execute(f"RESET {setting}")
