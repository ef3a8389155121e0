from django.db import migrations

TRIGRAM_INDEXES = {
    "civil_status_act_name_ar_trgm": "name_key_ar",
    "civil_status_act_name_latin_trgm": "name_key_latin",
    "civil_status_act_parents_ar_trgm": "parents_key_ar",
}


def create_trigram_indexes(apps, schema_editor):
    """PostgreSQL only: pg_trgm and GIN indexes for fuzzy name search. SQLite searches without them."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON civil_status_act USING gin ({column} gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("civil_status", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
