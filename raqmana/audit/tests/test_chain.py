"""The hash chain: `verify_audit` finds an edited, an inserted and a deleted event (the first and the last of a chain
too) and names the first bad one; concurrent writers never fork a chain."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from raqmana.audit.chain import GENESIS, event_hash, first_break
from raqmana.audit.models import AuditChain, AuditEvent
from raqmana.audit.services import reads_outlast_refusals, record, record_read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_chain_a_day(settings):
    settings.RAQMANA_AUDIT_CHAIN_PARTITIONS = 1


@pytest.fixture
def events(agent, temara_office):
    """Five events at the end of today's chain (after those of the fixtures: roles granted)."""
    return [
        record(actor=agent, action="act.read", target=agent, unit=temara_office, reason=f"read {number}")
        for number in range(1, 6)
    ]


def broken(chain):
    chain.refresh_from_db()
    return first_break(chain)


def test_a_whole_chain_verifies(events, capsys):
    chain = AuditChain.objects.get(pk=events[0].chain_id)
    assert [event.position for event in chain.events.order_by("position")] == list(range(1, chain.length + 1))
    assert chain.events.get(position=1).previous_hash == GENESIS and events[1].previous_hash == events[0].hash
    assert chain.length == events[4].position
    assert broken(chain) is None
    call_command("verify_audit")
    assert "every chain is whole" in capsys.readouterr().out


def test_an_edited_event_is_named(events):
    AuditEvent.objects.filter(pk=events[2].pk).update(reason="nothing to see")
    found = broken(events[0].chain)
    assert (found.event_id, found.position) == (events[2].pk, events[2].position) and "edited" in found.problem


@pytest.mark.parametrize(
    "field, value",
    [("actor", None), ("unit", None), ("territory", None), ("details", {"found": 0}), ("action", "act.signed")],
)
def test_every_field_that_matters_is_covered(events, field, value):
    AuditEvent.objects.filter(pk=events[1].pk).update(**{field: value})
    assert broken(events[0].chain).event_id == events[1].pk


def test_an_edited_time_is_named(events):
    AuditEvent.objects.filter(pk=events[0].pk).update(at=F("at") - timedelta(minutes=1))
    assert broken(events[0].chain).event_id == events[0].pk


def test_an_edit_with_its_hash_recomputed_breaks_the_link_to_the_next_event(events):
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.reason = "forged"
    forged.hash = event_hash(forged, forged.chain.day, forged.chain.partition)
    AuditEvent.objects.filter(pk=forged.pk).update(reason=forged.reason, hash=forged.hash)
    found = broken(events[0].chain)
    assert (found.event_id, found.position) == (events[2].pk, events[2].position) and "rewritten" in found.problem


def _shift(chain, from_position):
    for event in AuditEvent.objects.filter(chain=chain, position__gte=from_position).order_by("-position"):
        AuditEvent.objects.filter(pk=event.pk).update(position=F("position") + 1)


def _forge(chain, position, previous_hash, **fields):
    forged = AuditEvent(chain=chain, position=position, previous_hash=previous_hash, at=timezone.now(), **fields)
    forged.hash = event_hash(forged, chain.day, chain.partition)
    forged.save(force_insert=True)
    return forged


def test_an_inserted_event_is_named(events, agent, temara_office):
    chain = events[0].chain
    _shift(chain, events[2].position)
    forged = _forge(
        chain, events[2].position, events[1].hash, actor=agent, action="act.read", target_type="accounts.User",
        target_id=str(agent.pk), target_repr="x", unit=temara_office, territory=temara_office.territory,
    )  # fmt: skip
    AuditChain.objects.filter(pk=chain.pk).update(length=F("length") + 1)
    found = broken(chain)
    assert (found.event_id, found.position) == (forged.pk, events[2].position) and "inserted" in found.problem


def test_an_event_inserted_after_the_last_is_named(events, agent):
    chain = events[0].chain
    forged = _forge(
        chain, events[4].position + 1, events[4].hash, actor=agent, action="act.read", target_type="accounts.User",
        target_id=str(agent.pk), target_repr="x",
    )  # fmt: skip
    found = broken(chain)
    assert (found.event_id, found.position) == (forged.pk, forged.position) and "inserted" in found.problem


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_a_deleted_event_is_named(events, which):
    chain = events[0].chain
    position = {"first": 1, "middle": events[2].position, "last": events[4].position}[which]
    AuditEvent.objects.filter(chain=chain, position=position).delete()
    found = broken(chain)
    assert (found.position, found.event_id) == (position, None) and "deleted" in found.problem


def test_a_deletion_hidden_by_renumbering_is_found(events):
    chain = events[0].chain
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    for event in events[3:]:
        event = AuditEvent.objects.get(pk=event.pk)
        event.position -= 1
        event.hash = event_hash(event, chain.day, chain.partition)
        AuditEvent.objects.filter(pk=event.pk).update(position=event.position, hash=event.hash)
    AuditChain.objects.filter(pk=chain.pk).update(length=F("length") - 1)
    found = broken(chain)
    assert (found.event_id, found.position) == (events[3].pk, events[2].position)


def test_the_command_names_the_first_bad_event_and_fails(events, capsys):
    AuditEvent.objects.filter(pk=events[3].pk).update(reason="edited")
    with pytest.raises(SystemExit) as exit_code:
        call_command("verify_audit")
    assert exit_code.value.code == 1
    error = capsys.readouterr().err
    assert f"position {events[3].position}: event {events[3].pk}" in error and "edited" in error


def test_the_command_checks_one_day_or_a_range(events, capsys):
    today = events[0].chain.day
    yesterday = AuditChain.objects.create(day=today - timedelta(days=1), partition=0, length=1)
    call_command("verify_audit", day=today)
    assert "1 chains," in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("verify_audit", first_day=yesterday.day, last_day=yesterday.day)
    assert "deleted" in capsys.readouterr().err


def test_each_day_has_its_own_chains(agent, temara_office):
    first = record(actor=agent, action="act.read", target=agent, unit=temara_office)
    tomorrow = first.at + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: tomorrow)
        second = record(actor=agent, action="act.read", target=agent, unit=temara_office)
    assert second.chain.day == first.chain.day + timedelta(days=1) and second.position == 1
    assert first_break(first.chain) is None and first_break(second.chain) is None


def test_events_are_never_changed_nor_deleted(events):
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.reason = "changed"
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()


def test_reads_recorded_after_a_refusal_are_chained(agent, temara_office):
    @reads_outlast_refusals
    @transaction.atomic
    def refused_write():
        record_read(actor=agent, action="act.identity_checked", target=agent, unit=temara_office)
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        refused_write()
    event = AuditEvent.objects.get(action="act.identity_checked")
    assert event.position == event.chain.length and first_break(event.chain) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_a_chain(territories_in_transactional_db, agent, temara_office, settings):
    settings.RAQMANA_AUDIT_CHAIN_PARTITIONS = 2
    threads, per_thread, start = 6, 25, threading.Barrier(6)
    errors = []

    def write():
        try:
            start.wait()
            for number in range(per_thread):
                with transaction.atomic():  # as services do: the head stays locked until the commit
                    record(actor=agent, action="act.read", target=agent, unit=temara_office, reason=str(number))
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=write) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    chains = list(AuditChain.objects.all())
    assert sum(chain.length for chain in chains) == AuditEvent.objects.count()
    assert AuditEvent.objects.filter(action="act.read").count() == threads * per_thread
    for chain in chains:
        positions = list(chain.events.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, chain.length + 1))
        assert first_break(chain) is None
