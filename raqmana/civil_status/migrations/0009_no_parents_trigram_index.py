from django.db import migrations

# A parent's name now only narrows a search that has another criterion (selectors.check_criteria), which the
# other indexes serve: this GIN index only slowed every load of digitised registers.
INDEX, COLUMN = "civil_status_act_parents_ar_trgm", "parents_key_ar"


def drop_parents_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create_parents_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON civil_status_act USING gin ({COLUMN} gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("civil_status", "0008_name_sound")]

    operations = [migrations.RunPython(drop_parents_trigram_index, create_parents_trigram_index)]
