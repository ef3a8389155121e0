"""Chain the events written before the chain existed: each day's events, in the order they were written, form the
day's chain of partition 0, hashed as `raqmana.audit.chain` hashed events then: an unkeyed SHA-256 (0009 keys them)."""

import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

from raqmana.audit.chain import GENESIS, canonical_content


def event_hash(event, day, partition):
    return hashlib.sha256(event.previous_hash.encode() + canonical_content(event, day, partition)).hexdigest()


def chain_existing_events(apps, schema_editor):
    AuditChain = apps.get_model("audit", "AuditChain")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    head, last_hash = None, GENESIS
    for event in AuditEvent.objects.filter(chain__isnull=True).order_by("at", "pk").iterator(chunk_size=2000):
        day = event.at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
        if head is None or head.day != day:
            if head is not None:
                head.save()
            head, _created = AuditChain.objects.get_or_create(day=day, partition=0)
            last_hash = GENESIS
        event.chain_id = head.pk
        event.position = head.length + 1
        event.previous_hash = last_hash
        event.hash = event_hash(event, head.day, head.partition)
        event.save(update_fields=["chain", "position", "previous_hash", "hash"])
        head.length, last_hash = event.position, event.hash
    if head is not None:
        head.save()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_units_and_chain_fields"),
    ]

    operations = [
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]
