import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_event_at_unit"),
    ]

    operations = [
        migrations.RenameField(model_name="auditevent", old_name="office", new_name="unit"),
        migrations.RenameField(model_name="auditevent", old_name="actor_office", new_name="actor_unit"),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="at"
            ),
        ),
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("partition", models.PositiveSmallIntegerField(verbose_name="partition")),
                ("length", models.PositiveIntegerField(default=0, verbose_name="length")),
            ],
            options={
                "verbose_name": "audit chain",
                "verbose_name_plural": "audit chains",
                "ordering": ["day", "partition"],
                "constraints": [
                    models.UniqueConstraint(fields=("day", "partition"), name="one_audit_chain_per_partition")
                ],
            },
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="audit.auditchain",
                verbose_name="chain",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="position",
            field=models.PositiveIntegerField(null=True, verbose_name="position in the chain"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash of the previous event"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
    ]
