from django.db import migrations

# The search finds a correspondent or a subject by any part of it (`icontains`: UPPER(column) LIKE UPPER('%...%')).
INDEXES = {
    "mail_correspondent_trgm": "correspondent",
    "mail_subject_trgm": "subject",
}


def create_trigram_indexes(apps, schema_editor):
    """PostgreSQL only: GIN trigram indexes answer `LIKE '%...%'` without reading every letter of the communes in
    reach. SQLite reads them, which its deployments' sizes allow."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON mail_registry_mailentry "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("mail_registry", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
