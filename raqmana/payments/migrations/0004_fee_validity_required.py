import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_fee_and_payment_collectivity")]

    operations = [
        migrations.AlterField(
            model_name="fee",
            name="valid_from",
            field=models.DateField(verbose_name="valid from"),
        ),
        migrations.AlterField(
            model_name="payment",
            name="collectivity",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.territory",
                verbose_name="collectivity",
            ),
        ),
        migrations.AlterModelOptions(
            name="fee",
            options={
                "ordering": ["code", "collectivity", "-valid_from"],
                "verbose_name": "fee",
                "verbose_name_plural": "fees",
            },
        ),
        migrations.AddConstraint(
            model_name="fee",
            constraint=models.CheckConstraint(
                condition=models.Q(("valid_until__isnull", True), ("valid_until__gte", models.F("valid_from")), _connector="OR"),
                name="fee_valid_until_after_from",
            ),
        ),
        migrations.AddConstraint(
            model_name="fee",
            constraint=models.UniqueConstraint(
                condition=models.Q(("collectivity__isnull", True)), fields=("code", "valid_from"), name="fee_national_start"
            ),
        ),
        migrations.AddConstraint(
            model_name="fee",
            constraint=models.UniqueConstraint(
                condition=models.Q(("collectivity__isnull", False)),
                fields=("code", "collectivity", "valid_from"),
                name="fee_local_start",
            ),
        ),
        migrations.AddIndex(
            model_name="fee",
            index=models.Index(fields=["code", "collectivity", "valid_from"], name="fee_in_force"),
        ),
    ]
