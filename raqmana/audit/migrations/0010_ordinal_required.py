from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0009_key_the_chains"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditchain",
            name="ordinal",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="ordinal"),
        ),
    ]
