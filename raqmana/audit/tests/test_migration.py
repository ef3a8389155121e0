"""Events written before the chain existed are kept and chained by the data migrations, and keyed (0009): a chain
whole under the unkeyed hash is whole under the keyed one, a broken one stays broken where it was."""

import hashlib
import json
from datetime import UTC

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from raqmana.audit.chain import GENESIS, HASHED_FIELDS, first_break, missing_chains
from raqmana.audit.models import AuditChain, AuditChainCounter, AuditEvent

BEFORE_CHAINS = [("audit", "0004_event_at_unit")]
BEFORE_KEYS = [("audit", "0007_chain_required")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return [node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "audit"]


@pytest.mark.django_db(transaction=True)
def test_existing_events_are_kept_and_chained(territories_in_transactional_db, temara_office, agent):
    old_apps = migrate(BEFORE_CHAINS)
    OldEvent = old_apps.get_model("audit", "AuditEvent")
    OldEvent.objects.all().delete()
    for number in range(3):
        OldEvent.objects.create(
            action="act.read",
            actor_id=agent.pk,
            target_type="accounts.User",
            target_id=str(agent.pk),
            target_repr="x",
            office_id=temara_office.pk,
            territory_id=temara_office.territory_id,
            reason=f"read {number}",
            details={"n": number},
        )
    migrate(latest())
    events = list(AuditEvent.objects.order_by("position"))
    assert [(event.position, event.reason, event.unit_id) for event in events] == [
        (number + 1, f"read {number}", temara_office.pk) for number in range(3)
    ]
    chain = AuditChain.objects.get()
    assert (chain.day, chain.length, chain.ordinal) == (timezone.localdate(events[0].at), 3, 1)
    assert first_break(chain) is None and missing_chains() == []


def unkeyed(event, day, partition):
    """The hash as written before the key."""
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    content["at"] = content["at"].astimezone(UTC).isoformat(timespec="microseconds")
    content["chain"] = [day.isoformat(), partition]
    content["position"] = event.position
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(event.previous_hash.encode() + canonical).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_unkeyed_chains_are_keyed_and_a_break_is_kept(territories_in_transactional_db, temara_office, agent):
    old_apps = migrate(BEFORE_KEYS)
    OldChain, OldEvent = old_apps.get_model("audit", "AuditChain"), old_apps.get_model("audit", "AuditEvent")
    OldEvent.objects.all().delete()
    OldChain.objects.all().delete()
    now = timezone.now()
    day = timezone.localdate(now)
    for partition in (0, 1):
        chain = OldChain.objects.create(day=day, partition=partition, length=4)
        previous = GENESIS
        for position in range(1, 5):
            event = OldEvent(
                at=now, action="act.read", actor_id=agent.pk, target_type="accounts.User", target_id=str(agent.pk),
                target_repr="x", unit_id=temara_office.pk, territory_id=temara_office.territory_id,
                reason=f"{partition}-{position}", details={}, chain=chain, position=position, previous_hash=previous,
            )  # fmt: skip
            event.hash = unkeyed(event, day, partition)
            event.save()
            previous = event.hash
    OldEvent.objects.filter(reason="1-3").update(reason="edited before the key")
    migrate(latest())
    whole, tampered = AuditChain.objects.order_by("partition")
    assert (whole.ordinal, tampered.ordinal, AuditChainCounter.objects.get().last_ordinal) == (1, 2, 2)
    assert first_break(whole) is None and whole.last_hash == AuditEvent.objects.get(reason="0-4").hash
    found = first_break(tampered)
    assert (found.position, found.event_id) == (3, AuditEvent.objects.get(reason="edited before the key").pk)
    assert AuditEvent.objects.get(reason="1-2").hash != unkeyed(AuditEvent.objects.get(reason="1-2"), day, 1)
