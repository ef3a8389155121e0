import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "morocco-hijri-month-starts.json"
SOURCE = "Ministère des Habous et des Affaires islamiques, as compiled by HilalMonths (github.com/AbdullahM0hamed/HilalMonths, commit 343706e)"


def record_published_starts(apps, schema_editor):
    """Morocco's published month starts of 1444-1447 AH; a month already recorded keeps its row."""
    month_start = apps.get_model("calendars", "HijriMonthStart")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["month_starts"]:
        month_start.objects.get_or_create(
            hijri_year=row["hijri_year"],
            hijri_month=row["hijri_month"],
            defaults={"gregorian_start": date.fromisoformat(row["gregorian_start"]), "source": SOURCE},
        )


class Migration(migrations.Migration):
    dependencies = [("calendars", "0002_official_month_starts")]

    operations = [migrations.RunPython(record_published_starts, migrations.RunPython.noop)]
