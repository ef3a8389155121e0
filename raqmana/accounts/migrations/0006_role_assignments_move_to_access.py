"""Role assignments now belong to access (its 0001 renamed the table and kept every row): forget the model here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_role_at_unit"),
        ("access", "0001_role_assignments_from_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="RoleAssignment")]),
    ]
