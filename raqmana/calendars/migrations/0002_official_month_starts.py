from datetime import date

from django.db import migrations

# Only starts confirmed by an official announcement belong here; every other month follows Umm al-Qura
# until an administrator records Morocco's own date.
KNOWN_STARTS = [
    (1446, 10, date(2025, 3, 31), "Ministère des Habous et des Affaires islamiques: 1 Chawwal 1446 on 31 March 2025"),
]


def record_known_starts(apps, schema_editor):
    month_start = apps.get_model("calendars", "HijriMonthStart")
    for year, month, start, source in KNOWN_STARTS:
        month_start.objects.get_or_create(
            hijri_year=year, hijri_month=month, defaults={"gregorian_start": start, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]

    operations = [migrations.RunPython(record_known_starts, migrations.RunPython.noop)]
