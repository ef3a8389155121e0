import django.db.models.deletion
from django.db import migrations, models

from raqmana.complaints.constants import OPEN_STATES


class Migration(migrations.Migration):
    """A request is against the services of any collectivity (a commune, a province or prefecture, a region): its
    commune becomes its collectivity, the rows and indexes unchanged but for the column's name."""

    dependencies = [
        ("complaints", "0002_open_queue"),
        ("territories", "0004_legalisationoffice_alter_administrativeunit_kind"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="complaint", name="complaint_open_queue"),
        migrations.RemoveIndex(model_name="complaint", name="complaint_by_month"),
        migrations.RenameField(model_name="complaint", old_name="commune", new_name="collectivity"),
        migrations.AlterField(
            model_name="complaint",
            name="collectivity",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.territory",
                verbose_name="collectivity concerned",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(state__in=OPEN_STATES),
                fields=["collectivity", "answer_due_at"],
                include=["state", "escalated_at"],
                name="complaint_open_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["collectivity", "filed_at"], name="complaint_by_month"),
        ),
    ]
