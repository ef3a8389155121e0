"""A paid extract whose automatic issue fails waits for an agent; what the order's history keeps says so with a
reference, never the error's own text (a citizen once read "canceling statement due to lock timeout LINE 1: INSERT
INTO documents_issueddocument...")."""

import logging
import re

import pytest
from django.db import OperationalError
from django.urls import reverse

from raqmana.accounts.tests.factories import UserFactory
from raqmana.civil_status_documents.constants import OrderState
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.tests.test_orders import order_url, pay
from raqmana.documents.constants import DOCUMENT_REGISTER
from raqmana.documents.models import IssuedDocument
from raqmana.kernel.sequences import Sequence
from raqmana.payments.constants import PaymentState

pytestmark = pytest.mark.django_db
RAW = "canceling statement due to lock timeout\nLINE 1: INSERT INTO documents_issueddocument"


def test_a_failed_automatic_issue_keeps_a_reference_not_the_error(
    client, birth_act, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def draw(document):
        raise OperationalError(RAW)

    monkeypatch.setattr("raqmana.documents.services.draw", draw)
    client.force_login(UserFactory(preferred_language="fr"))
    client.cookies["django_language"] = "en"
    ordered = client.post(order_url(birth_act), {"requester_relation": "holder", "purpose": "Passport"})
    with caplog.at_level(logging.ERROR, logger="raqmana.errors"), django_capture_on_commit_callbacks(execute=True):
        pay(client, ordered)
    order = DocumentOrder.objects.get()
    assert order.state == OrderState.AWAITING_CHECK and order.payment.state == PaymentState.PAID
    assert not IssuedDocument.objects.exists() and not Sequence.objects.filter(register=DOCUMENT_REGISTER).exists()

    (record,) = [record for record in caplog.records if record.name == "raqmana.errors"]
    reason = order.transitions.get(to_state=OrderState.AWAITING_CHECK).reason
    assert re.fullmatch(
        r"The automatic issue failed; an agent issues the document \(reference ERR-[A-Z2-9]{4}-[A-Z2-9]{4}\)\.", reason
    )
    assert record.reference in reason and record.exc_info[1].args == (RAW,)
    assert f"document order {order.pk}" in record.getMessage()
    for shown in (
        client.get(reverse("documents:order", args=[order.pk])),
        client.get(f"/api/documents/orders/{order.pk}"),
    ):
        assert shown.status_code == 200 and "lock timeout" not in shown.text and "INSERT" not in shown.text
