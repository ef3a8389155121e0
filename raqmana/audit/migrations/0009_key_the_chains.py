"""Key the audit trail: every event is hashed anew with the key (HMAC-SHA256, `RAQMANA_AUDIT_KEY`), each head keeps
its last event's hash under a seal, and the heads take their ordinals in the order of their days.

A chain that no longer verified under the unkeyed SHA-256 is keyed only up to its first break, so that verify_audit
still reports that break where it was, rather than the migration making it whole."""

import hashlib

from django.db import migrations

from raqmana.audit.chain import GENESIS, canonical_content, day_of, event_hash, seal


def unkeyed_hash(event, day, partition):
    """The hash as events were written before the key (0006 and `chain.append` until then)."""
    return hashlib.sha256(event.previous_hash.encode() + canonical_content(event, day, partition)).hexdigest()


def key_the_chains(apps, schema_editor):
    AuditChain = apps.get_model("audit", "AuditChain")
    AuditChainCounter = apps.get_model("audit", "AuditChainCounter")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ordinal = 0
    for head in AuditChain.objects.order_by("day", "partition", "pk"):
        ordinal += 1
        unkeyed_previous = keyed_previous = GENESIS
        expected = 1
        for event in AuditEvent.objects.filter(chain_id=head.pk).order_by("position", "pk").iterator(chunk_size=2000):
            intact = (
                event.position == expected <= head.length
                and event.previous_hash == unkeyed_previous
                and event.hash == unkeyed_hash(event, head.day, head.partition)
                and day_of(event.at) == head.day
            )
            if not intact:
                break
            unkeyed_previous = event.hash
            event.previous_hash = keyed_previous
            event.hash = event_hash(event, head.day, head.partition)
            event.save(update_fields=["previous_hash", "hash"])
            keyed_previous, expected = event.hash, expected + 1
        head.ordinal, head.last_hash = ordinal, keyed_previous
        head.seal = seal(ordinal, head.day, head.partition, head.length, head.last_hash)
        head.save(update_fields=["ordinal", "last_hash", "seal"])
    if ordinal:
        AuditChainCounter.objects.create(pk=1, last_ordinal=ordinal)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0008_sealed_heads"),
    ]

    operations = [
        migrations.RunPython(key_the_chains, migrations.RunPython.noop),
    ]
