from decimal import Decimal

from django.db import migrations

# The stamp duty on an extract of a civil status act is 2 DH (DOMAIN.md). Full copies start at the same amount;
# the administration edits fees in the admin (payments › fees) when the tariff says otherwise.
FEES = [
    ("birth_extract", "نسخة موجزة من رسم الولادة", "Extrait d'acte de naissance"),
    ("birth_full_copy", "نسخة كاملة من رسم الولادة", "Copie intégrale d'acte de naissance"),
    ("death_full_copy", "نسخة كاملة من رسم الوفاة", "Copie intégrale d'acte de décès"),
]


def create_fees(apps, schema_editor):
    Fee = apps.get_model("payments", "Fee")
    for code, label_ar, label_fr in FEES:
        Fee.objects.get_or_create(
            code=code,
            defaults={
                "label_ar": label_ar,
                "label_fr": label_fr,
                "amount": Decimal("2.00"),
                "legal_basis": "Droit de timbre (Code général des impôts)",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_orders"), ("payments", "0001_initial")]
    operations = [migrations.RunPython(create_fees, migrations.RunPython.noop)]
