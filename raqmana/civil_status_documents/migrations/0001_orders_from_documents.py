# The civil status documents' orders move here from the documents app: their tables, rows and content types stay
# as they are (the tables keep their names), only Django's state changes app.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import raqmana.documents.models

ORDER_STATES = [
    ("awaiting_payment", "Awaiting payment"),
    ("awaiting_check", "Awaiting the office's check"),
    ("issued", "Issued"),
    ("refused", "Refused"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired: not paid in time"),
]


def move_references(apps, schema_editor):
    """What names the orders' model or workflow by its old app: their content types (kept, renamed, so that the
    payment clocks and permissions that point at them follow), their payments' model label and the clocks'
    workflow."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("documentorder", "ordertransition"):
        old = ContentType.objects.filter(app_label="documents", model=model).first()
        new = ContentType.objects.filter(app_label="civil_status_documents", model=model).first()
        if old is not None and new is None:
            old.app_label = "civil_status_documents"
            old.save(update_fields=["app_label"])
        elif old is not None:
            apps.get_model("workflows", "Clock").objects.filter(subject_type=old).update(subject_type=new)
    Payment = apps.get_model("payments", "Payment")
    Payment.objects.filter(for_model="documents.documentorder").update(for_model="civil_status_documents.documentorder")
    Clock = apps.get_model("workflows", "Clock")
    Clock.objects.filter(workflow="documents.order").update(workflow="civil_status_documents.order")


def bring_back_references(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="civil_status_documents", model__in=["documentorder", "ordertransition"]).update(
        app_label="documents"
    )
    Payment = apps.get_model("payments", "Payment")
    Payment.objects.filter(for_model="civil_status_documents.documentorder").update(for_model="documents.documentorder")
    Clock = apps.get_model("workflows", "Clock")
    Clock.objects.filter(workflow="civil_status_documents.order").update(workflow="documents.order")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("civil_status", "0012_act_numbers_in_kernel_sequences"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("documents", "0008_kernel_sequences_and_expired_orders"),
        ("payments", "0004_fee_validity_required"),
        ("workflows", "0001_clocks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DocumentOrder",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("birth_extract", "Extract of a birth act"), ("birth_full_copy", "Full copy of a birth act"), ("death_full_copy", "Full copy of a death act"), ("family_record", "Family booklet record")], max_length=24, verbose_name="document")),
                        ("requester_relation", models.CharField(choices=[("holder", "The holder of the act"), ("ascendant", "An ascendant (parent, grandparent)"), ("descendant", "A descendant (child, grandchild)"), ("spouse", "The spouse"), ("guardian", "The legal guardian"), ("mandatary", "A person authorised by one of them"), ("other", "Another person")], max_length=16, verbose_name="requester's relation to the act")),
                        ("mandate_reference", models.CharField(blank=True, max_length=200, verbose_name="mandate (reference and date)")),
                        ("purpose", models.CharField(max_length=200, verbose_name="purpose")),
                        ("proof", models.FileField(blank=True, storage=raqmana.documents.models.documents_storage, upload_to="proofs/%Y/%m/", verbose_name="proof of identity and relation")),
                        ("proof_scan", models.CharField(blank=True, choices=[("pending", "Waiting for the virus scan"), ("clean", "Scanned: no virus found"), ("infected", "A virus was found: the file was deleted")], max_length=10, verbose_name="virus scan of the proof")),
                        ("proof_deleted_on", models.DateField(blank=True, null=True, verbose_name="proof deleted on")),
                        ("state", models.CharField(choices=ORDER_STATES, default="awaiting_payment", max_length=20, verbose_name="state")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="ordered at")),
                        ("refusal_reason", models.CharField(blank=True, max_length=300, verbose_name="why it was refused")),
                        ("act", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="orders", to="civil_status.act", verbose_name="act")),
                        ("citizen", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="document_orders", to=settings.AUTH_USER_MODEL, verbose_name="citizen")),
                        ("document", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="documents.issueddocument", verbose_name="document")),
                        ("payment", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="payments.payment", verbose_name="payment")),
                    ],
                    options={
                        "verbose_name": "document order",
                        "verbose_name_plural": "document orders",
                        "db_table": "documents_documentorder",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="OrderTransition",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(auto_now_add=True)),
                        ("reason", models.CharField(blank=True, max_length=300)),
                        ("from_state", models.CharField(blank=True, choices=ORDER_STATES, max_length=20)),
                        ("to_state", models.CharField(choices=ORDER_STATES, max_length=20)),
                        ("by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("order", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="transitions", to="civil_status_documents.documentorder")),
                    ],
                    options={
                        "db_table": "documents_ordertransition",
                        "ordering": ["at", "pk"],
                        "abstract": False,
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_references, bring_back_references),
    ]
