"""The hash chain of the audit trail: each event carries a SHA-256 over its content and the hash of the event before
it in its chain, so that an event edited, inserted or deleted afterwards shows (`verify`).

A chain is a day (Morocco's) and a partition of it: writers append to the chain of their partition under a lock on
its head row (`AuditChain`, which counts its events, so that a deleted last event shows too), so that positions never
fork and writers of different partitions never wait on each other. A worker thread keeps one partition
(`partition_of_this_thread`): a transaction that records several events locks one head a day, so two transactions
cannot deadlock on two heads taken in opposite orders.

The content hashed is frozen: changing `canonical_content` would make every existing event fail its check.
"""

import hashlib
import itertools
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import AuditChain, AuditEvent

GENESIS = "0" * 64  # the "previous hash" of a chain's first event

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


def canonical_content(event: object, day: date, partition: int) -> bytes:
    """The event as hashed: its fields, its chain and position, as JSON with sorted keys and no spaces."""
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    content["at"] = content["at"].astimezone(UTC).isoformat(timespec="microseconds")
    content["chain"] = [day.isoformat(), partition]
    content["position"] = event.position
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: object, day: date, partition: int) -> str:
    """SHA-256 over the previous event's hash and this event's canonical content."""
    return hashlib.sha256(event.previous_hash.encode() + canonical_content(event, day, partition)).hexdigest()


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


def _advance_head(day: date, partition: int) -> tuple[int, int]:
    """(id, position) of the next event of the chain: its head's length is advanced, and its row stays locked
    until the transaction ends, so that no other writer takes the same position. The head is opened by the day's
    first event in this partition. Plain SQL: this runs for every event, and the ORM's query building cost more
    than the query (bench/audit_record.py)."""
    quote = connection.ops.quote_name
    advance = (
        f"UPDATE {quote(AuditChain._meta.db_table)} SET {quote('length')} = {quote('length')} + 1 "
        f"WHERE {quote('day')} = %s AND {quote('partition')} = %s RETURNING {quote('id')}, {quote('length')}"
    )
    parameters = [connection.ops.adapt_datefield_value(day), partition]
    with connection.cursor() as cursor:
        cursor.execute(advance, parameters)
        head = cursor.fetchone()
        if head is None:
            try:
                with transaction.atomic():
                    AuditChain.objects.create(day=day, partition=partition)
            except IntegrityError:
                pass  # another writer opened this chain meanwhile
            cursor.execute(advance, parameters)
            head = cursor.fetchone()
    return head


def _hash_at(chain_id: int, position: int) -> str:
    """The hash of the event at `position` of the chain; GENESIS before the first. A statement of its own, after the
    head's: only then does it see the event that the writer who held the head before committed (READ COMMITTED
    takes a snapshot per statement)."""
    if position == 0:
        return GENESIS
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('hash')} FROM {quote(AuditEvent._meta.db_table)} "
            f"WHERE {quote('chain_id')} = %s AND {quote('position')} = %s",
            [chain_id, position],
        )
        return cursor.fetchone()[0]


def append(event: AuditEvent) -> AuditEvent:
    """Write `event` (not saved yet) at the end of its chain, inside the caller's transaction."""
    event.at = timezone.now()
    day = timezone.localdate(event.at)
    partition = partition_of_this_thread()
    with transaction.atomic(savepoint=False):
        event.chain_id, event.position = _advance_head(day, partition)
        event.previous_hash = _hash_at(event.chain_id, event.position - 1)
        event.hash = event_hash(event, day, partition)
        event.save(force_insert=True)
    return event


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


def verify(first_day: date | None = None, last_day: date | None = None) -> Iterator[tuple[AuditChain, Break | None]]:
    """Walk every chain of the days asked (all by default), yielding each with its first break, or None."""
    chains = AuditChain.objects.order_by("day", "partition")
    if first_day is not None:
        chains = chains.filter(day__gte=first_day)
    if last_day is not None:
        chains = chains.filter(day__lte=last_day)
    for chain in chains.iterator():
        yield chain, first_break(chain)


def first_break(chain: AuditChain) -> Break | None:
    """The first event of `chain` that is not as it was written, or the first missing; None when it is whole."""
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
        if timezone.localdate(event.at) != chain.day:
            return Break(chain, event.position, event.pk, "dated outside its chain's day: edited")
        previous, expected = event, expected + 1
    if expected <= chain.length:
        return Break(chain, expected, None, "missing at the end of the chain: deleted")
    return None
