"""Fault injection: the request settling a payment dies after the gateway took the money, its connection terminated
by PostgreSQL (pg_terminate_backend from another connection while the order's callback holds the payment's lock) or,
on any database, its callback raising OperationalError. The payer is sent back to the order told the payment is being
confirmed; the periodic job settles every payment from the gateway's books, with no repeat from the gateway; the
gateway's own late repeat counts once. Each order ends with exactly one document."""

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.utils import timezone

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import CivilStatusDocument, OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.services import order_paid, place_order
from raqmana.civil_status_documents.tests.conftest import birth_act  # noqa: F401 (a fixture)
from raqmana.documents.models import IssuedDocument
from raqmana.payments import callbacks
from raqmana.payments.confirmations import settle_pending_payments
from raqmana.payments.constants import PaymentState
from raqmana.payments.providers import SimulatedProvider

ORDERS = 5
ORDER_CALLBACKS = "civil_status_documents.documentorder"


@pytest.fixture
def citizen(territories_in_transactional_db):
    return UserFactory(full_name="Youssef El Alaoui", preferred_language="en")


@pytest.fixture
def paid_at_the_gateway(citizen, birth_act):  # noqa: F811 (the fixture imported above)
    """ORDERS extract orders whose money the simulated gateway has taken, each with its signed answer."""
    gateway = SimulatedProvider()
    orders = [
        place_order(
            citizen,
            birth_act,
            CivilStatusDocument.BIRTH_EXTRACT,
            relation="holder",
            mandate_reference="",
            purpose="Passport",
        )
        for _ in range(ORDERS)
    ]
    return [(order, gateway.answer(order.payment, True)) for order in orders]


def cut_by_postgresql(monkeypatch):
    """The order's callback, holding the payment's row locked, waits while another connection terminates its
    backend; then goes on, and meets the dead connection."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL; the other cut runs on every database.")

    def terminated_while_holding_the_lock(payment):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [pid] = cursor.fetchone()
        killer = threading.Thread(target=terminate, args=[pid])
        killer.start()
        killer.join()
        order_paid(payment)

    monkeypatch.setitem(
        callbacks._registry, ORDER_CALLBACKS, callbacks.PaymentCallbacks(terminated_while_holding_the_lock)
    )


def terminate(pid):
    """From a connection of its own (a thread's): end the settling request's backend."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        connections["default"].close()


def cut_by_the_callback(monkeypatch):
    def connection_lost(payment):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(callbacks._registry, ORDER_CALLBACKS, callbacks.PaymentCallbacks(connection_lost))


def answer_in_a_request(citizen, answer):
    """The payer's browser brings the gateway's answer back, in a request of its own (its own connection)."""
    responses = []

    def request():
        try:
            browser = Client()
            browser.force_login(citizen)
            browser.cookies["django_language"] = "en"
            responses.append(browser.get(answer))
        finally:
            connections["default"].close()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    return responses[0] if responses else None


def documents_per_order(orders):
    return [IssuedDocument.objects.filter(pk=DocumentOrder.objects.get(pk=o.pk).document_id).count() for o in orders]


def payment_states(orders):
    return [DocumentOrder.objects.select_related("payment").get(pk=o.pk).payment.state for o in orders]


@pytest.mark.parametrize("cut", [cut_by_postgresql, cut_by_the_callback], ids=["pg_terminate_backend", "exception"])
def test_payments_settle_by_the_job_after_the_settling_request_died(citizen, paid_at_the_gateway, monkeypatch, cut):
    orders = [order for order, _answer in paid_at_the_gateway]
    with monkeypatch.context() as faults:
        cut(faults)
        for order, answer in paid_at_the_gateway:
            back = answer_in_a_request(citizen, answer)
            assert back.status_code == 302 and back.url == f"/documents/orders/{order.pk}/"
    pending = payment_states(orders)
    assert pending == [PaymentState.PENDING] * ORDERS and documents_per_order(orders) == [0] * ORDERS

    sweep = settle_pending_payments(now=timezone.now() + timedelta(minutes=11))
    assert (sweep.asked, sweep.settled, sweep.errors) == (ORDERS, ORDERS, 0)
    after_the_job = documents_per_order(orders)
    for _order, answer in paid_at_the_gateway:  # the gateway's own late repeat
        assert answer_in_a_request(citizen, answer).status_code == 302
    again = settle_pending_payments(now=timezone.now() + timedelta(minutes=11))
    issued = documents_per_order(orders)
    print(
        f"\n{cut.__name__}: {ORDERS} orders paid at the gateway, settling requests cut: "
        f"pending after the cut {pending.count(PaymentState.PENDING)}, settled by the job {sweep.settled}, "
        f"documents per order after the job {after_the_job}, after the gateway's repeat {issued}, "
        f"asked again {again.asked}"
    )
    assert after_the_job == issued == [1] * ORDERS and again.asked == 0
    assert [DocumentOrder.objects.get(pk=o.pk).state for o in orders] == [OrderState.ISSUED] * ORDERS
    assert payment_states(orders) == [PaymentState.PAID] * ORDERS
    assert IssuedDocument.objects.count() == ORDERS
