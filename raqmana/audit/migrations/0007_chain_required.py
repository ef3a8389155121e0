import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_chain_existing_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="chain",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="audit.auditchain",
                verbose_name="chain",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="position",
            field=models.PositiveIntegerField(verbose_name="position in the chain"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "position"), name="one_audit_event_per_position"),
        ),
    ]
