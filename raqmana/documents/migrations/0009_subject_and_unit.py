# An issued document has a subject (any record, kernel.references) instead of an act, and an issuing unit; its
# kind is a code registered by the app that owns its subject. The orders leave for civil_status_documents (their
# tables stay: civil_status_documents.0001 takes them over).

import django.db.models.deletion
from django.db import migrations, models


def acts_become_subjects(apps, schema_editor):
    """Every document issued so far was drawn from an act: the act becomes its subject."""
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    if not IssuedDocument.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    act_type, _created = ContentType.objects.get_or_create(app_label="civil_status", model="act")
    for document in IssuedDocument.objects.only("pk", "act_id").iterator():
        IssuedDocument.objects.filter(pk=document.pk).update(subject_type=act_type, subject_id=str(document.act_id))


def subjects_become_acts(apps, schema_editor):
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    for document in IssuedDocument.objects.only("pk", "subject_id").iterator():
        IssuedDocument.objects.filter(pk=document.pk).update(act_id=int(document.subject_id))


class Migration(migrations.Migration):

    dependencies = [
        ("civil_status", "0012_act_numbers_in_kernel_sequences"),
        ("civil_status_documents", "0001_orders_from_documents"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("documents", "0008_kernel_sequences_and_expired_orders"),
        ("territories", "0002_administrative_units"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="OrderTransition"),
                migrations.DeleteModel(name="DocumentOrder"),
            ],
            database_operations=[],
        ),
        migrations.RemoveConstraint(model_name="issueddocument", name="one_document_number_per_office_year"),
        migrations.RenameField(model_name="issueddocument", old_name="office", new_name="unit"),
        migrations.AddConstraint(
            model_name="issueddocument",
            constraint=models.UniqueConstraint(fields=("unit", "year", "number"), name="one_document_number_per_unit_year"),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="subject_type",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype"),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="subject_id",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="issueddocument",
            name="kind",
            field=models.CharField(max_length=24, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="issueddocument",
            name="requester_relation",
            field=models.CharField(blank=True, max_length=16, verbose_name="requester's relation"),
        ),
        # Nullable from here, so that the act can be removed (0010) and, migrating back, brought back with its rows.
        migrations.AlterField(
            model_name="issueddocument",
            name="act",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="issued_documents", to="civil_status.act", verbose_name="act"),
        ),
        migrations.RunPython(acts_become_subjects, subjects_become_acts),
    ]
