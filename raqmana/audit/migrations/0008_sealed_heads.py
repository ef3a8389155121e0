from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_chain_required"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_ordinal", models.PositiveBigIntegerField(default=0, verbose_name="last ordinal")),
            ],
            options={
                "verbose_name": "audit chain counter",
                "verbose_name_plural": "audit chain counters",
            },
        ),
        migrations.AddField(
            model_name="auditchain",
            name="ordinal",
            field=models.PositiveBigIntegerField(null=True, unique=True, verbose_name="ordinal"),
        ),
        migrations.AddField(
            model_name="auditchain",
            name="last_hash",
            field=models.CharField(default="0" * 64, max_length=64, verbose_name="hash of the last event"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditchain",
            name="seal",
            field=models.CharField(default="", max_length=64, verbose_name="seal"),
            preserve_default=False,
        ),
    ]
