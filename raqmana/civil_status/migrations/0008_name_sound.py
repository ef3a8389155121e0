from django.db import migrations, models

# Name search now goes through the sound key's btree index; these trigram indexes of 0002 only slowed loading.
NAME_TRIGRAM_INDEXES = {
    "civil_status_act_name_ar_trgm": "name_key_ar",
    "civil_status_act_name_latin_trgm": "name_key_latin",
}
BATCH = 5000


def set_sound_keys(apps, schema_editor):
    """The sound key of the acts already in the register, from their Arabic names as names.search_keys does."""
    from raqmana.civil_status.names import sound_key

    Act = apps.get_model("civil_status", "Act")
    acts = Act.objects.filter(name_sound="").only("first_name_ar", "family_name_ar", "first_name_latin",
                                                   "family_name_latin")  # fmt: skip
    batch = []
    for act in acts.iterator(chunk_size=BATCH):
        act.name_sound = sound_key(f"{act.first_name_ar} {act.family_name_ar}") or sound_key(
            f"{act.first_name_latin} {act.family_name_latin}"
        )
        batch.append(act)
        if len(batch) == BATCH:
            Act.objects.bulk_update(batch, ["name_sound"])
            batch = []
    Act.objects.bulk_update(batch, ["name_sound"])


def drop_name_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in NAME_TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_name_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in NAME_TRIGRAM_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON civil_status_act USING gin ({column} gin_trgm_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [("civil_status", "0007_hijri_dates_death_notices")]

    operations = [
        migrations.AddField(model_name="act", name="name_sound", field=models.CharField(blank=True, max_length=100)),
        migrations.AlterField(model_name="act", name="name_key_ar", field=models.CharField(blank=True, max_length=200)),
        migrations.AlterField(
            model_name="act", name="name_key_latin", field=models.CharField(blank=True, max_length=200)
        ),
        migrations.AddIndex(
            model_name="act",
            index=models.Index(
                fields=["name_sound", "name_key_ar", "name_key_latin", "signed_at"], name="act_name_sound"
            ),
        ),
        migrations.RunPython(set_sound_keys, migrations.RunPython.noop),
        migrations.RunPython(drop_name_trigram_indexes, create_name_trigram_indexes),
    ]
