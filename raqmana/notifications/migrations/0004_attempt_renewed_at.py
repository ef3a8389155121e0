from django.db import migrations, models
from django.db.models import F


def renewed_when_started(apps, schema_editor):
    apps.get_model("notifications", "NotificationAttempt").objects.update(renewed_at=F("started_at"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_outbox")]

    operations = [
        migrations.AddField(
            model_name="notificationattempt",
            name="renewed_at",
            field=models.DateTimeField(null=True, verbose_name="renewed at"),
        ),
        migrations.RunPython(renewed_when_started, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notificationattempt",
            name="renewed_at",
            field=models.DateTimeField(verbose_name="renewed at"),
        ),
    ]
