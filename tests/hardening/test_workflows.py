"""Acceptance probes of the workflow engine and its clocks."""

import threading
from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.calendars.models import Holiday
from raqmana.civil_status.constants import ActState
from raqmana.civil_status.workflows import ACT_WORKFLOW
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder, OrderTransition
from raqmana.civil_status_documents.services import place_order
from raqmana.civil_status_documents.workflows import ORDER_WORKFLOW
from raqmana.kernel.references import reference_to
from raqmana.payments import services as payment_services
from raqmana.payments.constants import PaymentState
from raqmana.payments.workflows import PAYMENT_WORKFLOW
from raqmana.workflows.engine import ClockRule, Transition, Workflow
from raqmana.workflows.models import Clock, ClockState
from raqmana.workflows.services import run_due_clocks

pytestmark = pytest.mark.django_db

WORKING = Workflow(
    "hardening.working_days",
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
            days=3,
            working_days=True,
            reason="No answer in time.",
        )
    ],
)


def local(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def citizen(db):
    return UserFactory(preferred_language="en")


@pytest.fixture
def order(citizen, birth_act, settings):
    settings.RAQMANA_ORDER_PAYMENT_DAYS = 1000
    return place_order(
        citizen, birth_act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="Visa"
    )


def clock_of(subject, workflow):
    return Clock.objects.get(**reference_to(subject), workflow=workflow.name)


def test_a_person_never_takes_a_system_step(order, agent, citizen):
    for person in (agent, citizen):
        with pytest.raises(PermissionDenied):
            ORDER_WORKFLOW.check(order, OrderState.EXPIRED, by=person)
        with pytest.raises(PermissionDenied):
            ORDER_WORKFLOW.check(order, OrderState.ISSUED, by=person)


def test_nobody_takes_a_step_the_table_lacks(birth_act, officer):
    with pytest.raises(ValidationError):
        ACT_WORKFLOW.check(birth_act, ActState.DRAFT, by=officer)
    with pytest.raises(ValidationError):
        ACT_WORKFLOW.check(birth_act, ActState.ABANDONED, by=officer)


def test_the_applicant_of_another_case_cannot_withdraw_it(order):
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        ORDER_WORKFLOW.check(order, OrderState.CANCELLED, by=other)
    with pytest.raises(PermissionDenied):
        PAYMENT_WORKFLOW.check(order.payment, PaymentState.CANCELLED, by=other)
    with pytest.raises(PermissionDenied):
        payment_services.cancel(order.payment, by=other)


def test_a_payment_is_refunded_only_by_an_agent_of_its_collectivity(order, agadir_agent):
    """PAYMENT_WORKFLOW declares no `place`: "payments.payment.refund" is checked anywhere, so an agent of Agadir gives
    back a payment owed to Témara's commune. payments/workflows.py: PAYMENT_WORKFLOW has no place=lambda p: ...
    (the collectivity); refund() moves without `at`. Reached today through services.refund and the payments admin
    action (give_back_mismatched) for a staff member holding a counter role anywhere."""
    outsider, _office = agadir_agent
    payment = order.payment
    payment_services.settle(_gateway(payment, amount=payment.amount + 1))  # a mismatch, as the admin action sees it
    payment.refresh_from_db()
    assert payment.state == PaymentState.MISMATCHED
    with pytest.raises(PermissionDenied):
        payment_services.refund(payment, by=outsider, reason="not mine")


def _gateway(payment, paid=True, **taken):
    from raqmana.payments.tests.conftest import gateway_outcome

    return gateway_outcome(payment, paid, **taken)


@pytest.mark.parametrize("days", [0, -3])
def test_a_clock_of_zero_or_negative_days_is_refused(citizen, birth_act, settings, days):
    """RAQMANA_ORDER_PAYMENT_DAYS=0 or -3 was taken as is: an order was due at once, or before it was placed. Now the
    system check names the setting, and no order is placed with such a clock."""
    from django.core.exceptions import ImproperlyConfigured

    from raqmana.workflows.checks import every_clock_lasts_a_day_or_more

    settings.RAQMANA_ORDER_PAYMENT_DAYS = days
    [error] = every_clock_lasts_a_day_or_more(None)
    assert error.id == "workflows.E002" and "RAQMANA_ORDER_PAYMENT_DAYS" in error.msg
    with pytest.raises(ImproperlyConfigured):
        place_order(
            citizen,
            birth_act,
            CivilStatusDocument.BIRTH_EXTRACT,
            relation="holder",
            mandate_reference="",
            purpose="Visa",
        )
    assert not DocumentOrder.objects.exists()


def test_working_days_pause_and_resume_across_a_weekend_and_a_holiday(order):
    Holiday.objects.get_or_create(
        date=date(2026, 12, 7), defaults={"name_ar": "عطلة", "name_fr": "Férié", "kind": "national"}
    )
    thursday = date(2026, 12, 3)
    with at(local(thursday)):
        WORKING.open(order, by=None)
    # Thursday does not count: Friday, (weekend), (Monday holiday), Tuesday, Wednesday -> due Thursday 00:00
    assert clock_of(order, WORKING).due_at == local(date(2026, 12, 10), 0)
    with at(local(date(2026, 12, 4), 15)):  # Friday: paused, Friday used
        WORKING.move(order, OrderState.AWAITING_CHECK, by=None)
    assert clock_of(order, WORKING).remaining == timedelta(days=2)
    with at(local(date(2026, 12, 8), 9)):  # resumed Tuesday, after the weekend and Monday's holiday
        WORKING.move(order, OrderState.AWAITING_PAYMENT, by=None)
        order.save(update_fields=["state"])
    # Tuesday does not count (the resumption's day): Wednesday, Thursday -> due Friday 00:00
    assert clock_of(order, WORKING).due_at == local(date(2026, 12, 11), 0)
    assert run_due_clocks(now=local(date(2026, 12, 10), 23)) == 0
    assert run_due_clocks(now=local(date(2026, 12, 11), 0)) == 1


def test_a_working_day_clock_paused_after_its_due_time_gains_nothing(order):
    """Run out but not yet taken by the runner, then paused: `left` gives 0 days, and on resuming `due(now, 0)` is the
    next midnight, so the case that had expired gets a day more. A calendar-day clock gets 0 and expires at once.
    Should: a clock past its due time expires (or keeps 0 left and expires on resuming)."""
    with at(local(date(2026, 12, 3))):
        WORKING.open(order, by=None)
    with at(local(date(2026, 12, 14))):  # due 10 December, not yet taken
        WORKING.move(order, OrderState.AWAITING_CHECK, by=None)
    with at(local(date(2026, 12, 15))):
        WORKING.move(order, OrderState.AWAITING_PAYMENT, by=None)
        order.save(update_fields=["state"])
    assert clock_of(order, WORKING).due_at <= local(date(2026, 12, 15))


def test_a_clock_whose_case_moved_by_another_path_is_stopped(order, caplog):
    """A case whose state changed without its workflow (a data fix, the admin, a migration) keeps a RUNNING clock
    whose expiry fails at every run, logged as an exception each time. Should: the runner stops a clock whose case
    is no longer in a state it runs in."""
    DocumentOrder.objects.filter(pk=order.pk).update(state=OrderState.ISSUED)
    later = timezone.now() + timedelta(days=2000)
    assert run_due_clocks(now=later) == 0
    assert run_due_clocks(now=later) == 0
    clock = clock_of(order, ORDER_WORKFLOW)
    assert clock.state == ClockState.STOPPED and clock.ended_at == later and clock.reason


def test_a_clock_whose_case_was_paused_by_another_path_is_paused_and_runs_out_on_resuming(order):
    with at(local(date(2026, 12, 3))):
        WORKING.open(order, by=None)
    DocumentOrder.objects.filter(pk=order.pk).update(state=OrderState.AWAITING_CHECK)
    assert run_due_clocks(now=local(date(2026, 12, 14))) == 0
    clock = clock_of(order, WORKING)
    assert clock.state == ClockState.PAUSED and clock.remaining == timedelta(0) and clock.reason
    order.refresh_from_db()
    with at(local(date(2026, 12, 15))):
        WORKING.move(order, OrderState.AWAITING_PAYMENT, by=None)
        order.save(update_fields=["state"])
    clock = clock_of(order, WORKING)
    assert clock.state == ClockState.RUNNING and clock.due_at == local(date(2026, 12, 15)) and not clock.reason
    assert run_due_clocks(now=local(date(2026, 12, 15), 11)) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_an_order_expiring_while_its_payment_settles(territories_in_transactional_db, birth_data, settings, attempt):
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
    order = place_order(
        citizen, act, CivilStatusDocument.BIRTH_EXTRACT, relation="holder", mandate_reference="", purpose="V"
    )
    outcome = _gateway(order.payment)
    later = timezone.now() + timedelta(days=settings.RAQMANA_ORDER_PAYMENT_DAYS, seconds=1)
    barrier, errors = threading.Barrier(2), []

    def expire():
        try:
            barrier.wait()
            run_due_clocks(now=later)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    def settle():
        try:
            barrier.wait()
            payment_services.settle(outcome)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=expire), threading.Thread(target=settle)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    order.refresh_from_db()
    order.payment.refresh_from_db()
    pair = (order.state, order.payment.state)
    assert pair in {
        (OrderState.ISSUED, PaymentState.PAID),
        (OrderState.AWAITING_CHECK, PaymentState.PAID),
        (OrderState.EXPIRED, PaymentState.REFUNDED),
    }, pair
    assert clock_of(order, ORDER_WORKFLOW).state in {ClockState.STOPPED, ClockState.EXPIRED}
