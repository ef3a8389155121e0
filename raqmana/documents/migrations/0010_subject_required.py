import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0009_subject_and_unit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="issueddocument",
            name="subject_type",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype"),
        ),
        migrations.RemoveField(model_name="issueddocument", name="act"),
        migrations.AddIndex(
            model_name="issueddocument",
            index=models.Index(fields=["subject_type", "subject_id"], name="issued_document_subject"),
        ),
    ]
