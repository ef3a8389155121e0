from decimal import Decimal

from django.db import migrations

# Law 47-06: each commune sets its rate of the construction tax within a range by use. Until a commune has set its own
# (payments › fees, or procedures.services.fees.set_construction_tax_rate), the national row, at the range's
# minimum, applies.
FEES = [
    ("construction_tax_individual", "رسم على عمليات البناء: السكن الفردي", "Taxe sur les opérations de construction : logement individuel", Decimal("20.00")),
    ("construction_tax_collective", "رسم على عمليات البناء: السكن الجماعي والبنايات المهنية", "Taxe sur les opérations de construction : habitat collectif et locaux professionnels", Decimal("10.00")),
]


def create_fees(apps, schema_editor):
    Fee = apps.get_model("payments", "Fee")
    for code, label_ar, label_fr, amount in FEES:
        Fee.objects.get_or_create(
            code=code,
            collectivity=None,
            defaults={
                "label_ar": label_ar,
                "label_fr": label_fr,
                "amount": amount,
                "legal_basis": "Loi 47-06 relative à la fiscalité des collectivités locales (taxe sur les opérations de construction)",
                "valid_from": "2008-01-01",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial"), ("payments", "0006_simulated_gateway_attempts")]
    operations = [migrations.RunPython(create_fees, migrations.RunPython.noop)]
