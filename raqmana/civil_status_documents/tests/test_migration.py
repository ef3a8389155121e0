"""The split of documents into an engine and civil_status_documents keeps every row: an issued document's act becomes
its subject and comes back as its act migrating back; orders keep their tables, and their content types, payments
and clocks follow them to the app that now owns them."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from raqmana.civil_status_documents.constants import CivilStatusDocument, RequesterRelation
from raqmana.civil_status_documents.models import DocumentOrder
from raqmana.civil_status_documents.services import issue_at_counter, place_order
from raqmana.civil_status_documents.tests.conftest import HOLDER
from raqmana.documents.models import IssuedDocument
from raqmana.documents.selectors import check_file, status_of
from raqmana.payments.models import Payment
from raqmana.workflows.models import Clock

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("documents", "0008_kernel_sequences_and_expired_orders"), ("civil_status_documents", None)]


def migrate(targets):
    """Migrate to `targets`; the models as the migrations applied then leave them."""
    MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def test_documents_and_orders_survive_the_split_both_ways(
    territories_in_transactional_db, birth_act, agent, temara_office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_at_counter(
            birth_act, CivilStatusDocument.BIRTH_EXTRACT, office=temara_office, by=agent, requester=HOLDER, purpose="X"
        )
    order = place_order(
        agent, birth_act, CivilStatusDocument.BIRTH_EXTRACT, relation=RequesterRelation.HOLDER, mandate_reference="",
        purpose="Y",
    )  # fmt: skip
    order_type = ContentType.objects.get_for_model(DocumentOrder)

    old = migrate(BEFORE)
    old_document = old.get_model("documents", "IssuedDocument").objects.get(pk=document.pk)
    assert (old_document.act_id, old_document.office_id) == (birth_act.pk, temara_office.pk)
    old_order = old.get_model("documents", "DocumentOrder").objects.get(pk=order.pk)
    assert old_order.act_id == birth_act.pk and old_order.transitions.count() == 1
    assert Payment.objects.get(pk=order.payment_id).for_model == "documents.documentorder"
    clock = Clock.objects.get(subject_id=str(order.pk))
    assert clock.workflow == "documents.order"
    assert ContentType.objects.get(pk=order_type.pk).app_label == "documents"

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    document = IssuedDocument.objects.get(pk=document.pk)
    assert document.subject == birth_act and document.unit == temara_office and document.kind_label
    assert status_of(document)[0] == "valid" and check_file(document.pdf.read()).authentic
    order = DocumentOrder.objects.get(pk=order.pk)
    assert order.act == birth_act and order.transitions.count() == 1
    assert Payment.objects.get(pk=order.payment_id).for_model == "civil_status_documents.documentorder"
    clock = Clock.objects.get(pk=clock.pk)
    assert clock.workflow == "civil_status_documents.order" and clock.subject_type_id == order_type.pk
    assert clock.subject == order
