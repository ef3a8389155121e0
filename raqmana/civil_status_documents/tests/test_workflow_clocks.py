"""The workflows' engine on orders: who may take each step; a clock paused while the case waits for the applicant
never fires, and resumes with what was left; a clock run out moves its case once, as the system, even when two runs
overlap."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder, OrderTransition
from raqmana.civil_status_documents.services import place_order
from raqmana.civil_status_documents.workflows import ORDER_WORKFLOW
from raqmana.kernel.references import reference_to
from raqmana.workflows.engine import ClockRule, Transition, Workflow
from raqmana.workflows.models import Clock, ClockState
from raqmana.workflows.services import run_due_clocks
from raqmana.workflows.tasks import run_due_clocks as run_due_clocks_task

# A workflow of the tests' own on orders: its clock pauses while the order waits for a check (the applicant's turn,
# here), and resumes when it comes back.
PAUSING = Workflow(
    "tests.pausing_order",
    states=OrderState,
    transitions=[
        Transition([OrderState.AWAITING_PAYMENT], OrderState.AWAITING_CHECK, system=True),
        Transition([OrderState.AWAITING_CHECK], OrderState.AWAITING_PAYMENT, system=True),
        Transition([OrderState.AWAITING_PAYMENT], OrderState.EXPIRED, system=True),
    ],
    log=OrderTransition,
    link="order",
    refused="%(from)s → %(to)s",
    clocks=[
        ClockRule(
            "answer",
            runs_in=[OrderState.AWAITING_PAYMENT],
            paused_in=[OrderState.AWAITING_CHECK],
            expires_to=OrderState.EXPIRED,
            days=10,
            reason="No answer in time.",
        )
    ],
)


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def citizen(db):
    return UserFactory(preferred_language="en")


@pytest.fixture
def order(citizen, birth_act, settings):
    settings.RAQMANA_ORDER_PAYMENT_DAYS = 1000  # the orders' own clock stays out of the way
    return place_order(
        citizen, birth_act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Visa"
    )


def clock_of(subject, workflow):
    return Clock.objects.get(**reference_to(subject), workflow=workflow.name)


def test_a_length_may_be_a_setting(settings):
    settings.RAQMANA_ORDER_PAYMENT_DAYS = 2
    assert ORDER_WORKFLOW.clocks[0].length() == 2


def test_a_paused_clock_never_fires_and_resumes_with_what_was_left(order):
    start = timezone.now()
    with at(start):
        PAUSING.open(order, by=None)
    assert clock_of(order, PAUSING).due_at == start + timedelta(days=10)
    with at(start + timedelta(days=4)):
        PAUSING.move(order, OrderState.AWAITING_CHECK, by=None)
    paused = clock_of(order, PAUSING)
    assert (paused.state, paused.due_at, paused.remaining) == (ClockState.PAUSED, None, timedelta(days=6))
    assert run_due_clocks(now=start + timedelta(days=30)) == 0

    with at(start + timedelta(days=30)):
        PAUSING.move(order, OrderState.AWAITING_PAYMENT, by=None)
        order.save(update_fields=["state"])
    assert clock_of(order, PAUSING).due_at == start + timedelta(days=36)
    assert run_due_clocks(now=start + timedelta(days=36) - timedelta(seconds=1)) == 0
    assert run_due_clocks(now=start + timedelta(days=36)) == 1
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED
    assert clock_of(order, PAUSING).state == ClockState.EXPIRED
    expiry = order.transitions.get(to_state=OrderState.EXPIRED)
    assert (expiry.by, expiry.reason) == (None, "No answer in time.")


def test_a_clock_run_out_is_taken_once(order, capsys):
    start = timezone.now()
    with at(start):
        PAUSING.open(order, by=None)
    later = start + timedelta(days=11)
    with at(later):
        assert run_due_clocks() == 1
        assert run_due_clocks() == 0
        call_command("run_clocks")
        run_due_clocks_task.enqueue()
    assert "0 clocks taken" in capsys.readouterr().out
    assert order.transitions.filter(to_state=OrderState.EXPIRED).count() == 1


def test_leaving_the_running_states_stops_the_clock(order):
    PAUSING.open(order, by=None)
    PAUSING.move(order, OrderState.EXPIRED, by=None)
    assert clock_of(order, PAUSING).state == ClockState.STOPPED
    assert run_due_clocks(now=timezone.now() + timedelta(days=100)) == 0


def test_who_may_take_a_step(order, citizen, agent, agadir_agent):
    with pytest.raises(ValidationError):
        ORDER_WORKFLOW.check(order, OrderState.REFUSED, by=agent)  # not in the table from where it stands
    with pytest.raises(PermissionDenied):
        ORDER_WORKFLOW.check(order, OrderState.AWAITING_CHECK, by=agent)  # the system's step only
    with pytest.raises(PermissionDenied):
        ORDER_WORKFLOW.check(order, OrderState.CANCELLED, by=UserFactory())  # not the applicant
    ORDER_WORKFLOW.check(order, OrderState.CANCELLED, by=citizen)
    ORDER_WORKFLOW.check(order, OrderState.CANCELLED, by=None)
    DocumentOrder.objects.filter(pk=order.pk).update(state=OrderState.AWAITING_CHECK)
    order.refresh_from_db()
    ORDER_WORKFLOW.check(order, OrderState.REFUSED, by=agent)
    with pytest.raises(PermissionDenied):
        ORDER_WORKFLOW.check(order, OrderState.REFUSED, by=agadir_agent[0])  # another office's agent
    with pytest.raises(ImproperlyConfigured):
        ORDER_WORKFLOW.check(order, OrderState.REFUSED, by=None)  # a person's step


def test_a_clock_must_expire_by_a_step_of_the_system():
    with pytest.raises(ImproperlyConfigured):
        Workflow(
            "tests.wrong_clock",
            states=OrderState,
            transitions=[Transition([OrderState.AWAITING_PAYMENT], OrderState.EXPIRED, permission="x.y.z")],
            log=OrderTransition,
            link="order",
            refused="",
            clocks=[ClockRule("c", runs_in=[OrderState.AWAITING_PAYMENT], expires_to=OrderState.EXPIRED, reason="")],
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="overlapping runs need PostgreSQL's row locks")
def test_overlapping_runs_take_each_clock_once(territories_in_transactional_db, birth_data, settings):
    from raqmana.access.roles import Role
    from raqmana.access.services import grant_role
    from raqmana.civil_status.constants import ActKind
    from raqmana.civil_status.services.acts import draft_act, sign_act
    from raqmana.territories.models import CivilStatusOffice

    office = CivilStatusOffice.objects.get(territory__code="04.501.01.07")
    agent, officer, citizen = UserFactory(), UserFactory(), UserFactory()
    grant_role(agent, Role.CIVIL_STATUS_AGENT, unit=office, by=None, reason="test")
    grant_role(officer, Role.CIVIL_STATUS_OFFICER, unit=office, by=None, reason="test")
    act = sign_act(draft_act(office, ActKind.BIRTH, birth_data, by=agent), by=officer)
    orders = [
        place_order(
            citizen, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="V"
        )
        for _ in range(30)
    ]
    later = timezone.now() + timedelta(days=settings.RAQMANA_ORDER_PAYMENT_DAYS, seconds=1)

    def run(_index):
        try:
            return run_due_clocks(now=later)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        taken = list(pool.map(run, range(4)))

    assert sum(taken) == len(orders)
    expired = OrderTransition.objects.filter(to_state=OrderState.EXPIRED)
    assert sorted(expired.values_list("order_id", flat=True)) == sorted(order.pk for order in orders)
    assert not DocumentOrder.objects.exclude(state=OrderState.EXPIRED).exists()
