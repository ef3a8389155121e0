"""Acceptance probes of the audit chain: tampering done directly in SQL, concurrency, rollbacks, Morocco's midnight."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from raqmana.audit.chain import event_hash, first_break, missing_chains, seal_of, verify
from raqmana.audit.models import AuditChain, AuditEvent
from raqmana.audit.services import record

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")


@pytest.fixture(autouse=True)
def one_chain_a_day(settings):
    settings.RAQMANA_AUDIT_CHAIN_PARTITIONS = 1


@pytest.fixture
def events(agent, temara_office):
    return [
        record(actor=agent, action="act.read", target=agent, unit=temara_office, reason=f"read {n}") for n in range(5)
    ]


def whole():
    return all(found is None for _chain, found in verify()) and not missing_chains()


def verify_exit_code():
    try:
        call_command("verify_audit")
    except SystemExit as exit:
        return exit.code
    return 0


def test_a_whole_day_deleted_with_its_head_is_reported(events):
    """Deleting every event of a day and the day's AuditChain row leaves no trace: chains are not linked to one
    another, and verify walks only the heads that exist. Should: a missing day (or head) is reported."""
    chain = events[0].chain
    assert whole()
    AuditEvent.objects.filter(chain=chain).delete()
    AuditChain.objects.filter(pk=chain.pk).delete()
    assert verify_exit_code() == 1


def test_the_last_events_deleted_with_the_head_shortened_are_reported(events):
    """Deleting the last two events and lowering the head's `length` by two (one UPDATE) passes verify_audit: the
    head carries no hash. Should: the tail's removal is detected (head keeps the last hash, or heads are chained)."""
    chain = events[0].chain
    AuditEvent.objects.filter(pk__in=[events[3].pk, events[4].pk]).delete()
    AuditChain.objects.filter(pk=chain.pk).update(length=chain.length - 2)
    assert verify_exit_code() == 1


def test_an_edit_with_every_later_hash_recomputed_is_reported(events):
    """The hash is unkeyed and the chain anchored nowhere: whoever can write SQL rewrites an event and recomputes the
    hashes after it. Should: an anchor out of the database's reach (a keyed MAC, a daily head hash signed or
    published), else the guarantee is against accidents, not tampering."""
    chain = events[0].chain
    later = list(AuditEvent.objects.filter(chain=chain, position__gte=events[1].position).order_by("position"))
    previous_hash = AuditEvent.objects.get(chain=chain, position=events[1].position - 1).hash
    for event in later:
        if event.pk == events[1].pk:
            event.reason = "forged"
        event.previous_hash = previous_hash
        event.hash = event_hash(event, chain.day, chain.partition)
        AuditEvent.objects.filter(pk=event.pk).update(
            reason=event.reason, previous_hash=event.previous_hash, hash=event.hash
        )
        previous_hash = event.hash
    assert verify_exit_code() == 1


def test_the_trail_rewritten_and_resealed_without_the_key_is_reported(events, settings):
    """The attacker of the finding above, who also rewrites the head (its last hash, and a seal computed as the code
    does): without the key, every hash and the seal are wrong."""
    chain = events[0].chain
    settings.RAQMANA_AUDIT_KEY = "the attacker's guess"
    later = list(AuditEvent.objects.filter(chain=chain, position__gte=events[1].position).order_by("position"))
    previous_hash = AuditEvent.objects.get(chain=chain, position=events[1].position - 1).hash
    for event in later:
        if event.pk == events[1].pk:
            event.reason = "forged"
        event.previous_hash = previous_hash
        event.hash = event_hash(event, chain.day, chain.partition)
        AuditEvent.objects.filter(pk=event.pk).update(
            reason=event.reason, previous_hash=event.previous_hash, hash=event.hash
        )
        previous_hash = event.hash
    chain.refresh_from_db()
    chain.last_hash = previous_hash
    AuditChain.objects.filter(pk=chain.pk).update(last_hash=chain.last_hash, seal=seal_of(chain))
    settings.RAQMANA_AUDIT_KEY = ""
    found = first_break(AuditChain.objects.get(pk=chain.pk))
    assert (found.event_id, "edited" in found.problem) == (events[1].pk, True)
    assert verify_exit_code() == 1


def test_a_head_put_back_with_the_tail_deleted_is_reported_unless_its_seal_was_kept(events):
    """The tail deleted and the head given the last kept event's hash and the length it had then: the seal is
    wrong. (A head put back exactly as it was earlier, seal included, is what only seals kept elsewhere show.)"""
    chain = events[0].chain
    AuditEvent.objects.filter(pk=events[4].pk).delete()
    AuditChain.objects.filter(pk=chain.pk).update(length=events[3].position, last_hash=events[3].hash)
    found = first_break(AuditChain.objects.get(pk=chain.pk))
    assert "seal" in found.problem and verify_exit_code() == 1


def test_edit_delete_insert_reorder_are_each_named(events):
    chain = events[0].chain
    # reorder: swap the positions of two events
    a, b = events[1], events[2]
    with transaction.atomic():
        AuditEvent.objects.filter(pk=a.pk).update(position=10_000)
        AuditEvent.objects.filter(pk=b.pk).update(position=a.position)
        AuditEvent.objects.filter(pk=a.pk).update(position=b.position)
    chain.refresh_from_db()
    assert first_break(chain) is not None
    with transaction.atomic():
        AuditEvent.objects.filter(pk=a.pk).update(position=10_000)
        AuditEvent.objects.filter(pk=b.pk).update(position=b.position)
        AuditEvent.objects.filter(pk=a.pk).update(position=a.position)
    assert first_break(chain) is None
    # delete in the middle
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    assert first_break(chain).position == events[2].position


def test_an_event_appended_with_the_head_lengthened_is_reported(events):
    """Appending a forged event at the end with a correctly computed hash and length+1: detected?"""
    chain = events[0].chain
    chain.refresh_from_db()
    forged = AuditEvent.objects.get(pk=events[4].pk)
    forged.pk = None
    forged._state.adding = True
    forged.position = chain.length + 1
    forged.previous_hash = events[4].hash
    forged.reason = "inserted afterwards"
    forged.hash = event_hash(forged, chain.day, chain.partition)
    forged.save(force_insert=True)
    AuditChain.objects.filter(pk=chain.pk).update(length=chain.length + 1)
    assert verify_exit_code() == 1


def test_a_rolled_back_event_leaves_no_gap(agent, temara_office):
    record(actor=agent, action="act.read", target=agent, unit=temara_office, reason="kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=agent, action="act.read", target=agent, unit=temara_office, reason="rolled back")
        raise RuntimeError
    with transaction.atomic():
        try:
            with transaction.atomic():
                record(actor=agent, action="act.read", target=agent, unit=temara_office, reason="savepoint undone")
                raise RuntimeError
        except RuntimeError:
            pass
        record(actor=agent, action="act.read", target=agent, unit=temara_office, reason="after the savepoint")
    assert whole()
    assert verify_exit_code() == 0


def test_a_placed_action_without_place_is_refused(agent):
    with pytest.raises(ValueError):
        record(actor=agent, action="act.read", target=agent)


def test_an_undeclared_action_is_refused(agent, temara_office):
    with pytest.raises((ValueError, LookupError)):
        record(actor=agent, action="act.nothing_like_this", target=agent, unit=temara_office)


@pytest.mark.parametrize(
    "utc_moment, local_day",
    [
        # Ordinary time, UTC+1: 23:30 UTC is 00:30 the next day in Morocco.
        (datetime(2026, 1, 10, 23, 30, tzinfo=UTC), "2026-01-11"),
        (datetime(2026, 1, 10, 22, 59, 59, 999999, tzinfo=UTC), "2026-01-10"),
        # Ramadan 2026 (clocks back to UTC+0 from 15 February to 22 March): 23:30 UTC is still that day.
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "2026-03-01"),
        (datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC), "2026-03-01"),
    ],
)
def test_an_event_near_midnight_goes_to_morocco_s_day(monkeypatch, agent, temara_office, utc_moment, local_day):
    assert datetime(2026, 3, 1, 12, tzinfo=UTC).astimezone(CASABLANCA).utcoffset() == timedelta(0), "tzdata"
    monkeypatch.setattr(timezone, "now", lambda: utc_moment)
    event = record(actor=agent, action="act.read", target=agent, unit=temara_office, reason="midnight")
    assert event.chain.day.isoformat() == local_day
    monkeypatch.undo()
    assert whole()


def test_verify_does_not_depend_on_the_active_time_zone(monkeypatch, agent, temara_office):
    """A chain written in Morocco's time and verified under another active time zone (a request that activated
    one, a shell with a different TIME_ZONE): a 23:30 UTC event must still verify."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 1, 10, 23, 30, tzinfo=UTC))
    record(actor=agent, action="act.read", target=agent, unit=temara_office, reason="midnight")
    monkeypatch.undo()
    with timezone.override(ZoneInfo("UTC")):
        results = [found for _chain, found in verify()]
    assert all(found is None for found in results), [str(f) for f in results if f]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_keep_every_chain_whole(settings, territories_in_transactional_db):
    from raqmana.accounts.tests.factories import UserFactory
    from raqmana.territories.models import CivilStatusOffice

    settings.RAQMANA_AUDIT_CHAIN_PARTITIONS = 2
    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    actor = UserFactory()
    errors = []
    barrier = threading.Barrier(6)

    def write(n):
        try:
            barrier.wait()
            for i in range(15):
                with transaction.atomic():
                    record(actor=actor, action="act.read", target=actor, unit=office, reason=f"{n}-{i}")
                    if i % 5 == 4:
                        transaction.set_rollback(True)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEvent.objects.filter(reason__contains="-").count() == 6 * 12
    assert whole()
