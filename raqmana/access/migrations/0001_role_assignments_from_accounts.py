"""Role assignments move from accounts to access, every row kept: the table is renamed and its `office` column
becomes `unit` (a role is held at an administrative unit of any kind). Django's state records the model anew here;
accounts' 0006 forgets it there."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, source, destination):
    """The model's content type (its admin permissions and log entries) follows it, unless one exists there."""
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label=destination, model="roleassignment").exists():
        content_types.objects.filter(app_label=source, model="roleassignment").update(app_label=destination)


def content_type_follows(apps, schema_editor):
    move_content_type(apps, "accounts", "access")


def content_type_returns(apps, schema_editor):
    move_content_type(apps, "access", "accounts")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0005_role_at_unit"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("territories", "0002_administrative_units"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE accounts_roleassignment RENAME TO access_roleassignment",
                        "ALTER TABLE access_roleassignment RENAME COLUMN office_id TO unit_id",
                    ],
                    reverse_sql=[
                        "ALTER TABLE access_roleassignment RENAME COLUMN unit_id TO office_id",
                        "ALTER TABLE access_roleassignment RENAME TO accounts_roleassignment",
                    ],
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="RoleAssignment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("civil_status_agent", "Civil status agent"),
                                    ("civil_status_officer", "Civil status officer"),
                                    ("mail_registry_agent", "Mail registry agent"),
                                    ("permits_agent", "Urbanism and permits agent"),
                                    ("commune_president", "Commune president"),
                                    ("provincial_inspector", "Provincial civil status inspector"),
                                    ("governor_services", "Governor's services"),
                                    ("wali_services", "Wali's services"),
                                    ("dgct", "DGCT (national)"),
                                ],
                                max_length=32,
                                verbose_name="role",
                            ),
                        ),
                        ("granted_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="granted at")),
                        ("grant_reason", models.CharField(max_length=300, verbose_name="reason for granting")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                        ("revoke_reason", models.CharField(blank=True, max_length=300, verbose_name="reason for revoking")),
                        (
                            "granted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="granted by",
                            ),
                        ),
                        (
                            "revoked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="revoked by",
                            ),
                        ),
                        (
                            "territory",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territories.territory",
                                verbose_name="territory",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="role_assignments",
                                to="territories.administrativeunit",
                                verbose_name="unit",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="role_assignments",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "role assignment",
                        "verbose_name_plural": "role assignments",
                        "ordering": ["-granted_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("revoked_at__isnull", True), ("unit__isnull", False)),
                                fields=("user", "role", "unit"),
                                name="one_active_role_per_office",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("revoked_at__isnull", True), ("territory__isnull", False), ("unit__isnull", True)
                                ),
                                fields=("user", "role", "territory"),
                                name="one_active_role_per_territory",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("revoked_at__isnull", True), ("territory__isnull", True), ("unit__isnull", True)
                                ),
                                fields=("user", "role"),
                                name="one_active_national_role",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_follows, content_type_returns),
    ]
