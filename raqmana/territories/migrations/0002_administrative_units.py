"""Civil status offices become one kind of administrative unit: the table is renamed, every office keeps its row,
its primary key and its code, and the references to it (acts, roles, audit events, documents) follow."""

import django.db.models.deletion
from django.db import migrations, models

import raqmana.territories.models


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]

    operations = [
        migrations.RenameModel("CivilStatusOffice", "AdministrativeUnit"),
        migrations.AddField(
            model_name="administrativeunit",
            name="kind",
            field=models.CharField(
                choices=[
                    ("civil_status_office", "civil status office"),
                    ("mail_registry_office", "mail registry office"),
                    ("urbanism_service", "urbanism service"),
                    ("revenue_office", "revenue office"),
                    ("collectivity", "the collectivity itself"),
                ],
                db_index=True,
                default="civil_status_office",
                max_length=24,
                verbose_name="kind",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="administrativeunit",
            name="code",
            field=models.CharField(max_length=24, unique=True, verbose_name="unit code"),
        ),
        migrations.AlterField(
            model_name="administrativeunit",
            name="territory",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="units",
                to="territories.territory",
                verbose_name="territory",
            ),
        ),
        migrations.AlterModelOptions(
            name="administrativeunit",
            options={
                "ordering": ["code"],
                "verbose_name": "administrative unit",
                "verbose_name_plural": "administrative units",
            },
        ),
        migrations.CreateModel(
            name="CivilStatusOffice",
            fields=[],
            options={
                "verbose_name": "civil status office",
                "verbose_name_plural": "civil status offices",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("territories.administrativeunit",),
            managers=[("objects", raqmana.territories.models.UnitsOfKind("civil_status_office"))],
        ),
    ]
