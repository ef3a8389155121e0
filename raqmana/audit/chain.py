"""The hash chain of the audit trail: each event carries a keyed hash (HMAC-SHA256) over its content and the hash of
the event before it in its chain, so that an event edited, inserted or deleted afterwards shows (`verify`). The key
(`RAQMANA_AUDIT_KEY`) is not in the database: whoever can write to the database cannot compute a hash that verifies.

A chain is a day (Morocco's) and a partition of it: writers append to the chain of their partition under a lock on
its head row (`AuditChain`), so that positions never fork and writers of different partitions never wait on each
other. A worker thread keeps one partition (`partition_of_this_thread`): a transaction that records several events
locks one head a day, so two transactions cannot deadlock on two heads taken in opposite orders.

The head counts its chain's events and keeps the last one's hash, under a seal: a keyed hash over its ordinal, day,
partition, length and last hash, rewritten with each event in the same transaction, so that events removed or added
at the end show. Each head takes its ordinal from one counter when it is opened (`AuditChainCounter`, whose row stays
locked until that transaction ends, so that a rollback gives the ordinal back): the ordinals run without a gap, and a
whole chain deleted leaves one. Nothing inside the database shows the most recent chains or events removed together
with the counter lowered, or a head put back as it was earlier: only seals kept elsewhere do
(`verify_audit --print-seals`).

The content hashed is frozen: changing `canonical_content` or the key would make every existing event fail its check.
"""

import hashlib
import hmac
import itertools
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import AuditChain, AuditChainCounter, AuditEvent

GENESIS = "0" * 64  # the "previous hash" of a chain's first event, and the last hash of an empty chain

# The fields of an event that its hash covers, by attribute name (foreign keys as ids).
HASHED_FIELDS = (
    "at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "territory_id",
    "unit_id",
    "actor_territory_id",
    "actor_unit_id",
    "reason",
    "details",
)


def day_of(moment: datetime) -> date:
    """Morocco's day at `moment`, whatever time zone is active (a request may have activated another)."""
    return moment.astimezone(_zone(settings.TIME_ZONE)).date()


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def audit_key() -> str:
    """The key of the hashes and seals: `RAQMANA_AUDIT_KEY`, else one derived from SECRET_KEY for this purpose only
    (an installation that started with it sets RAQMANA_AUDIT_KEY to this value before it changes SECRET_KEY)."""
    return settings.RAQMANA_AUDIT_KEY or _derived_key(settings.SECRET_KEY)


@cache
def _derived_key(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"raqmana.audit.chain", hashlib.sha256).hexdigest()


@cache
def _keyed(key: str) -> "hmac.HMAC":
    """An HMAC-SHA256 with the key already absorbed, copied for each message (cheaper than keying each anew)."""
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def _mac(message: bytes) -> str:
    mac = _keyed(audit_key()).copy()
    mac.update(message)
    return mac.hexdigest()


def canonical_content(event: object, day: date, partition: int) -> bytes:
    """The event as hashed: its fields, its chain and position, as JSON with sorted keys and no spaces."""
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    content["at"] = content["at"].astimezone(UTC).isoformat(timespec="microseconds")
    content["chain"] = [day.isoformat(), partition]
    content["position"] = event.position
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: object, day: date, partition: int) -> str:
    """HMAC-SHA256 over the previous event's hash and this event's canonical content."""
    return _mac(event.previous_hash.encode() + canonical_content(event, day, partition))


def seal(ordinal: int, day: date, partition: int, length: int, last_hash: str) -> str:
    """The seal of a head: HMAC-SHA256 over what it says of its chain (a prefix of its own keeps it from ever
    equalling an event's hash)."""
    return _mac(f"head:{ordinal}:{day.isoformat()}:{partition}:{length}:{last_hash}".encode())


def seal_of(head: object) -> str:
    return seal(head.ordinal, head.day, head.partition, head.length, head.last_hash)


def as_stored(details: dict) -> dict:
    """Details as the database gives them back (JSON: string keys, lists for tuples), so the hash computed before
    the write is the one recomputed after it."""
    return json.loads(json.dumps(details))


_slots = itertools.count()
_this_thread = threading.local()


def partition_of_this_thread() -> int:
    """This worker thread's partition: workers (processes by their id, threads of a process in turn) spread over
    `RAQMANA_AUDIT_CHAIN_PARTITIONS`, each keeping its own."""
    if getattr(_this_thread, "pid", None) != os.getpid():  # a new thread, or a process forked from this one
        _this_thread.pid, _this_thread.slot = os.getpid(), os.getpid() + next(_slots)
    return _this_thread.slot % settings.RAQMANA_AUDIT_CHAIN_PARTITIONS


def append(event: AuditEvent) -> AuditEvent:
    """Write `event` (not saved yet) at the end of its chain, inside the caller's transaction: its head is advanced
    (which locks it and gives the previous hash), then the event written and the head sealed anew. Two statements on
    PostgreSQL, three on SQLite (no INSERT inside a WITH). Plain SQL: this runs for every event, and the ORM's query
    building cost more than the queries (bench/audit_record.py)."""
    event.at = timezone.now()
    day = day_of(event.at)
    partition = partition_of_this_thread()
    with transaction.atomic(savepoint=False):
        head_id, ordinal, event.position, event.previous_hash = _advance_head(day, partition)
        event.chain_id = head_id
        event.hash = event_hash(event, day, partition)
        event.pk = _write(event, seal(ordinal, day, partition, event.position, event.hash))
    event._state.adding, event._state.db = False, connection.alias
    return event


def _advance_head(day: date, partition: int) -> tuple[int, int, int, str]:
    """(id, ordinal, length, last hash) of the chain's head, its length counting the event about to be written: its
    row stays locked until the transaction ends, so that no other writer takes the same position, and its last hash
    is the previous event's (READ COMMITTED: the UPDATE reads the row as the writer who held it before committed it).
    The head is opened by the day's first event in this partition."""
    statements = _statements(connection.vendor)
    parameters = [connection.ops.adapt_datefield_value(day), partition]
    with connection.cursor() as cursor:
        cursor.execute(statements.advance, parameters)
        head = cursor.fetchone()
        if head is None:
            _open_head(day, partition)
            cursor.execute(statements.advance, parameters)
            head = cursor.fetchone()
    return head


def _open_head(day: date, partition: int) -> None:
    """Open the chain of (day, partition) with the counter's next ordinal. The counter's row stays locked until the
    transaction ends, so that the ordinals run without a gap: a rolled-back opening gives its ordinal back."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_statements(connection.vendor).next_ordinal)
            [ordinal] = cursor.fetchone()
            AuditChain.objects.create(
                ordinal=ordinal,
                day=day,
                partition=partition,
                length=0,
                last_hash=GENESIS,
                seal=seal(ordinal, day, partition, 0, GENESIS),
            )
    except IntegrityError:
        pass  # another writer opened this chain meanwhile: the savepoint gave the ordinal back


def _write(event: AuditEvent, head_seal: str) -> int:
    """Insert `event` and seal its head anew (its last hash is the event's); returns the event's id."""
    statements = _statements(connection.vendor)
    values = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in statements.fields]
    sealed = [event.hash, head_seal, event.chain_id]
    with connection.cursor() as cursor:
        if statements.insert_and_seal is not None:
            cursor.execute(statements.insert_and_seal, [*values, *sealed])
            return cursor.fetchone()[0]
        cursor.execute(statements.insert, values)
        [event_id] = cursor.fetchone()
        cursor.execute(statements.seal, sealed)
        return event_id


@dataclass(frozen=True)
class _Statements:
    fields: list
    advance: str
    next_ordinal: str
    insert: str
    seal: str
    insert_and_seal: str | None


@cache
def _statements(vendor: str) -> _Statements:
    """The SQL of `append`, built once."""
    quote = connection.ops.quote_name
    heads, events = quote(AuditChain._meta.db_table), quote(AuditEvent._meta.db_table)
    counter = quote(AuditChainCounter._meta.db_table)
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    insert = f"INSERT INTO {events} ({columns}) VALUES ({placeholders}) RETURNING {quote('id')}"
    set_seal = f"UPDATE {heads} SET {quote('last_hash')} = %s, {quote('seal')} = %s"
    return _Statements(
        fields=fields,
        advance=(
            f"UPDATE {heads} SET {quote('length')} = {quote('length')} + 1 "
            f"WHERE {quote('day')} = %s AND {quote('partition')} = %s "
            f"RETURNING {quote('id')}, {quote('ordinal')}, {quote('length')}, {quote('last_hash')}"
        ),
        next_ordinal=(
            f"INSERT INTO {counter} ({quote('id')}, {quote('last_ordinal')}) VALUES (1, 1) "
            f"ON CONFLICT ({quote('id')}) "
            f"DO UPDATE SET {quote('last_ordinal')} = {counter}.{quote('last_ordinal')} + 1 "
            f"RETURNING {quote('last_ordinal')}"
        ),
        insert=insert,
        seal=f"{set_seal} WHERE {quote('id')} = %s",
        insert_and_seal=(
            f"WITH {quote('written')} AS ({insert}) {set_seal} FROM {quote('written')} "
            f"WHERE {heads}.{quote('id')} = %s RETURNING {quote('written')}.{quote('id')}"
            if vendor == "postgresql"
            else None
        ),
    )


@dataclass(frozen=True)
class Break:
    """The first thing wrong in a chain: the event (None when it is missing), where, and what."""

    chain: AuditChain
    position: int
    event_id: int | None
    problem: str

    def __str__(self):
        event = f"event {self.event_id}" if self.event_id is not None else "no event"
        return f"chain {self.chain} position {self.position}: {event}: {self.problem}"


@dataclass(frozen=True)
class Missing:
    """Chains whose heads are gone: the ordinals missing, and the heads around them (None at either end)."""

    first_ordinal: int
    last_ordinal: int
    after: AuditChain | None
    before: AuditChain | None

    def __str__(self):
        ordinals = f"#{self.first_ordinal}" + (
            f" to #{self.last_ordinal}" if self.last_ordinal != self.first_ordinal else ""
        )
        around = ", ".join(
            f"{where} chain {head} (#{head.ordinal})"
            for where, head in (("after", self.after), ("before", self.before))
            if head is not None
        )
        return f"chains {ordinals} missing{f' ({around})' if around else ''}: deleted with their heads"


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Read the heads and the events as of one moment: writers go on while the trail is verified, and a head read
    before an event committed after it would otherwise make that event look inserted. PostgreSQL's REPEATABLE READ
    gives the transaction one snapshot; SQLite's read transaction keeps one already. Inside a transaction already
    begun (a test's), that transaction's own reads are the snapshot."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def verify(first_day: date | None = None, last_day: date | None = None) -> Iterator[tuple[AuditChain, Break | None]]:
    """Walk every chain of the days asked (all by default), yielding each with its first break, or None."""
    chains = AuditChain.objects.order_by("day", "partition")
    if first_day is not None:
        chains = chains.filter(day__gte=first_day)
    if last_day is not None:
        chains = chains.filter(day__lte=last_day)
    for chain in chains.iterator():
        yield chain, first_break(chain)


def missing_chains() -> list[Missing]:
    """The gaps in the heads' ordinals, from 1 to the counter's last: each a run of chains deleted, whatever their
    days (the heads are few: one a day and partition)."""
    counter = AuditChainCounter.objects.first()
    last_given = counter.last_ordinal if counter is not None else 0
    missing, before = [], None
    for head in AuditChain.objects.order_by("ordinal").only("ordinal", "day", "partition").iterator():
        expected = before.ordinal + 1 if before is not None else 1
        if head.ordinal > expected:
            missing.append(Missing(expected, head.ordinal - 1, before, head))
        before = head
    expected = before.ordinal + 1 if before is not None else 1
    if last_given >= expected:
        missing.append(Missing(expected, last_given, before, None))
    return missing


def first_break(chain: AuditChain) -> Break | None:
    """The first event of `chain` that is not as it was written, or the first missing, or its head not as sealed
    after its last event; None when it is whole."""
    previous = None
    expected = 1
    events = AuditEvent.objects.filter(chain=chain).order_by("position", "pk")
    for event in events.iterator(chunk_size=2000):
        previous_hash = previous.hash if previous is not None else GENESIS
        if event.position < expected:
            return Break(chain, event.position, event.pk, "a second event at this position: inserted")
        if event.position > expected:
            return Break(chain, expected, None, f"missing before event {event.pk}: deleted")
        if event.position > chain.length:
            return Break(chain, event.position, event.pk, "after the chain's last event: inserted")
        if event.previous_hash != previous_hash:
            if previous is not None and event.previous_hash == previous.previous_hash:
                return Break(chain, previous.position, previous.pk, "not in the chain as written: inserted")
            return Break(
                chain,
                event.position,
                event.pk,
                "does not follow the event before it: that one was rewritten, or one between them removed",
            )
        if event_hash(event, chain.day, chain.partition) != event.hash:
            return Break(chain, event.position, event.pk, "its content no longer matches its hash: edited")
        if day_of(event.at) != chain.day:
            return Break(chain, event.position, event.pk, "dated outside its chain's day: edited")
        previous, expected = event, expected + 1
    if expected <= chain.length:
        return Break(chain, expected, None, "missing at the end of the chain: deleted")
    last = previous.pk if previous is not None else None
    if chain.last_hash != (previous.hash if previous is not None else GENESIS):
        return Break(
            chain,
            chain.length,
            last,
            "the chain does not end with the event its head keeps: events removed or added at the end",
        )
    if not hmac.compare_digest(chain.seal, seal_of(chain)):
        return Break(chain, chain.length, last, "its head no longer matches its seal: the head was rewritten")
    return None
