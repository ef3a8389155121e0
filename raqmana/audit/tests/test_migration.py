"""Events written before the chain existed are kept and chained by the data migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from raqmana.audit.chain import first_break
from raqmana.audit.models import AuditChain, AuditEvent

BEFORE = [("audit", "0004_event_at_unit")]
AFTER = [("audit", "0007_chain_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_events_are_kept_and_chained(territories_in_transactional_db, temara_office, agent):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
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
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    events = list(AuditEvent.objects.order_by("position"))
    assert [(event.position, event.reason, event.unit_id) for event in events] == [
        (number + 1, f"read {number}", temara_office.pk) for number in range(3)
    ]
    chain = AuditChain.objects.get()
    assert (chain.day, chain.length) == (timezone.localdate(events[0].at), 3) and first_break(chain) is None
