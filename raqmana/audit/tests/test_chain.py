"""The hash chain: `verify_audit` finds an edited, an inserted and a deleted event (the first and the last of a chain
too) and names the first bad one, a head rewritten, a chain deleted whole; concurrent writers never fork a chain nor
give one ordinal twice."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from raqmana.audit import chain as audit_chain
from raqmana.audit.chain import GENESIS, event_hash, first_break, missing_chains, one_snapshot, seal_of
from raqmana.audit.checks import audit_key_is_its_own
from raqmana.audit.models import AuditChain, AuditChainCounter, AuditEvent
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
    yesterday = AuditChain(day=today - timedelta(days=1), partition=0, length=1, last_hash=GENESIS)
    yesterday.ordinal = AuditChainCounter.objects.get().last_ordinal + 1
    yesterday.seal = seal_of(yesterday)
    yesterday.save()
    AuditChainCounter.objects.update(last_ordinal=yesterday.ordinal)
    call_command("verify_audit", day=today)
    assert "1 chains," in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("verify_audit", first_day=yesterday.day, last_day=yesterday.day)
    assert "deleted" in capsys.readouterr().err


def _record_on(day, agent, unit, reason="read"):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
        return record(actor=agent, action="act.read", target=agent, unit=unit, reason=reason)


def test_heads_are_sealed_and_numbered_without_a_gap(agent, temara_office, capsys):
    today = timezone.now().date()
    events = [_record_on(today + timedelta(days=offset), agent, temara_office) for offset in (1, 2, 3)]
    heads = list(AuditChain.objects.order_by("ordinal"))
    assert [head.ordinal for head in heads] == list(range(1, len(heads) + 1))
    assert AuditChainCounter.objects.get().last_ordinal == len(heads)
    for event in events:
        head = AuditChain.objects.get(pk=event.chain_id)
        assert (head.length, head.last_hash, head.seal) == (event.position, event.hash, seal_of(head))
    assert missing_chains() == []
    call_command("verify_audit", print_seals=True)
    printed = capsys.readouterr().out
    assert all(head.seal in printed for head in heads) and "none is missing" in printed


@pytest.mark.parametrize("which", ["a middle day", "the first day", "the last day"])
def test_a_chain_deleted_with_its_head_is_named(agent, temara_office, capsys, which):
    AuditEvent.objects.all().delete()
    AuditChain.objects.all().delete()
    AuditChainCounter.objects.all().delete()
    today = timezone.now().date()
    days = [_record_on(today + timedelta(days=offset), agent, temara_office).chain for offset in (1, 2, 3)]
    gone = {"a middle day": days[1], "the first day": days[0], "the last day": days[2]}[which]
    AuditEvent.objects.filter(chain=gone).delete()
    AuditChain.objects.filter(pk=gone.pk).delete()
    [missing] = missing_chains()
    assert (missing.first_ordinal, missing.last_ordinal) == (gone.ordinal, gone.ordinal)
    with pytest.raises(SystemExit):
        call_command("verify_audit", day=today + timedelta(days=1))  # whatever the days asked
    assert f"chains #{gone.ordinal} missing" in capsys.readouterr().err


def test_a_renumbered_head_breaks_its_seal(events):
    chain = events[0].chain
    AuditChain.objects.filter(pk=chain.pk).update(ordinal=chain.ordinal + 100)
    AuditChainCounter.objects.update(last_ordinal=chain.ordinal + 100)
    assert "seal" in broken(chain).problem


def test_a_head_opened_in_a_rolled_back_transaction_gives_its_ordinal_back(agent, temara_office):
    today = timezone.now().date()
    _record_on(today + timedelta(days=1), agent, temara_office)
    with pytest.raises(RuntimeError), transaction.atomic():
        _record_on(today + timedelta(days=2), agent, temara_office, reason="rolled back")
        raise RuntimeError
    later = _record_on(today + timedelta(days=3), agent, temara_office)
    assert later.chain.ordinal == AuditChainCounter.objects.get().last_ordinal == AuditChain.objects.count()
    assert missing_chains() == []
    assert not AuditChain.objects.filter(day=today + timedelta(days=2)).exists()


def test_a_head_opened_meanwhile_by_another_writer_gives_the_ordinal_back(agent, temara_office, monkeypatch):
    """The head creation loses the race (IntegrityError): its savepoint gives the ordinal taken back."""
    day = timezone.now().date() + timedelta(days=1)
    opened = audit_chain._open_head

    def opened_by_someone_else_first(day, partition):
        opened(day, partition)
        opened(day, partition)

    monkeypatch.setattr(audit_chain, "_open_head", opened_by_someone_else_first)
    event = _record_on(day, agent, temara_office)
    assert event.chain.ordinal == AuditChainCounter.objects.get().last_ordinal and missing_chains() == []


def test_the_day_is_morocco_s_whatever_the_active_time_zone(agent, temara_office):
    moment = datetime(2026, 1, 10, 23, 30, tzinfo=UTC)  # 00:30 on the 11th in Morocco (UTC+1)
    with timezone.override(ZoneInfo("America/New_York")), pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        event = record(actor=agent, action="act.read", target=agent, unit=temara_office)
        assert event.chain.day.isoformat() == "2026-01-11" and first_break(event.chain) is None


def test_another_key_breaks_every_hash(events, settings):
    settings.RAQMANA_AUDIT_KEY = "another key"
    assert "edited" in broken(events[0].chain).problem


def test_a_deployment_with_the_derived_key_is_warned(settings):
    settings.RAQMANA_AUDIT_KEY = ""
    [warning] = audit_key_is_its_own(None)
    assert warning.id == "raqmana.audit.W001"
    settings.RAQMANA_AUDIT_KEY = "a key of its own"
    assert audit_key_is_its_own(None) == []


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_opening_heads_take_each_ordinal_once(
    territories_in_transactional_db, agent, temara_office, settings, monkeypatch
):
    """Writers of four partitions cross five days at once (each day opens up to four heads, racing for the counter),
    one transaction in three rolled back: no deadlock, no ordinal given twice or lost, every chain whole."""
    settings.RAQMANA_AUDIT_CHAIN_PARTITIONS = 4
    start_day = datetime(2030, 3, 1, 12, tzinfo=UTC)
    this_thread = threading.local()
    monkeypatch.setattr(timezone, "now", lambda: start_day + timedelta(days=getattr(this_thread, "day", 0)))
    threads, start = 6, threading.Barrier(6)
    errors = []

    def write(number):
        try:
            start.wait()
            for day in range(5):
                this_thread.day = day
                for round_ in range(3):
                    with transaction.atomic():
                        for _ in range(2):
                            record(actor=agent, action="act.read", target=agent, unit=temara_office, reason="x")
                        if (number + round_) % 3 == 0:
                            transaction.set_rollback(True)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    ordinals = sorted(AuditChain.objects.values_list("ordinal", flat=True))
    assert (
        ordinals
        == list(range(1, len(ordinals) + 1))
        == list(range(1, AuditChainCounter.objects.get().last_ordinal + 1))
    )
    assert missing_chains() == []
    assert AuditEvent.objects.filter(reason="x").count() == threads * 5 * 2 * 2
    for chain in AuditChain.objects.all():
        assert first_break(chain) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's isolation levels")
@pytest.mark.django_db(transaction=True)
def test_the_trail_is_verified_as_of_one_moment_while_writers_go_on(territories_in_transactional_db):
    """A head read before an event committed after it would make that event look inserted: the whole verification
    reads one snapshot, while another connection goes on writing."""
    from raqmana.accounts.tests.factories import UserFactory
    from raqmana.territories.models import CivilStatusOffice

    office = CivilStatusOffice.objects.order_by("pk").first()
    agent = UserFactory()
    for number in range(3):
        record(actor=agent, action="act.read", target=agent, unit=office, reason=f"read {number}")

    def write_one_more():
        record(actor=agent, action="act.read", target=agent, unit=office, reason="written meanwhile")
        connection.close()

    with one_snapshot():
        [head] = AuditChain.objects.all()
        writer = threading.Thread(target=write_one_more)
        writer.start()
        writer.join()
        assert first_break(head) is None and missing_chains() == []
    head.refresh_from_db()
    assert head.length == 4 and first_break(head) is None
