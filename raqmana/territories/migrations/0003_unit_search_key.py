from django.db import migrations, models

TRIGRAM_INDEX = "territories_unit_search_key_trgm"


def fill_search_keys(apps, schema_editor):
    """The names each unit is found by (models.search_key_of, which historical models do not have)."""
    AdministrativeUnit = apps.get_model("territories", "AdministrativeUnit")
    units = list(AdministrativeUnit.objects.select_related("territory__parent"))
    for unit in units:
        territory = unit.territory
        names = [unit.name_ar, unit.name_fr, territory.name_ar, territory.name_fr]
        if territory.parent_id:
            names.append(territory.parent.name_fr)
        unit.search_key = "\n".join(names).casefold()
    AdministrativeUnit.objects.bulk_update(units, ["search_key"], batch_size=1000)


def create_trigram_index(apps, schema_editor):
    """PostgreSQL only: a GIN trigram index answers `LIKE '%...%'` without reading every unit. SQLite reads them."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON territories_administrativeunit "
        "USING gin (search_key gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("territories", "0002_administrative_units")]

    operations = [
        migrations.AddField(
            model_name="administrativeunit",
            name="search_key",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
