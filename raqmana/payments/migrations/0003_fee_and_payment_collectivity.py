import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def date_and_place(apps, schema_editor):
    """The fees entered so far are national tariffs set by law (the stamp duty on an extract, the family booklet):
    they stay without a collectivity, in force from the day of the first payment charged with them (or today), so
    that every payment made keeps its tariff and the same amounts are charged from now on.

    A payment is owed to the collectivity of what it paid for. Every payment made so far is for a document order:
    the commune of the office that keeps the act (an arrondissement's office: its commune). A payment for anything
    else cannot be placed from the records; rather than credit a guessed collectivity with public money, the
    migration stops and names it."""
    Fee = apps.get_model("payments", "Fee")
    Payment = apps.get_model("payments", "Payment")
    DocumentOrder = apps.get_model("documents", "DocumentOrder")
    Territory = apps.get_model("territories", "Territory")
    today = timezone.localdate()
    for fee in Fee.objects.all():
        first = Payment.objects.filter(fee=fee).order_by("created_at").values_list("created_at", flat=True).first()
        fee.valid_from = min(timezone.localdate(first), today) if first else today
        fee.save(update_fields=["valid_from"])

    orders = Payment.objects.filter(for_model="documents.documentorder").values_list("for_id", flat=True)
    places = DocumentOrder.objects.filter(pk__in=[int(pk) for pk in orders]).values_list(
        "pk", "act__office__territory", "act__office__territory__level"
    )
    communes = {}
    for order_id, territory_id, level in places:
        if level == "arrondissement":
            territory_id = communes.setdefault(
                territory_id,
                Territory.objects.get(level="commune", descendant_links__descendant=territory_id).pk,
            )
        Payment.objects.filter(for_model="documents.documentorder", for_id=str(order_id)).update(
            collectivity_id=territory_id
        )
    unplaced = list(Payment.objects.filter(collectivity__isnull=True).values_list("reference", flat=True)[:20])
    if unplaced:
        raise RuntimeError(f"Payments whose collectivity cannot be derived: {', '.join(unplaced)}")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_amounts_refunds_reconciliation"),
        ("territories", "0002_administrative_units"),
        ("civil_status", "0011_office_is_a_unit"),
        # The fees created by the documents app's migrations, and the orders the payments were for.
        ("documents", "0007_issuing_unit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="fee",
            name="code",
            field=models.SlugField(max_length=40, verbose_name="code"),
        ),
        migrations.AddField(
            model_name="fee",
            name="collectivity",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for a national tariff, in force wherever a collectivity has set none.",
                limit_choices_to={"level__in": ("commune", "province", "prefecture", "prefecture_arr", "region")},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.territory",
                verbose_name="collectivity",
            ),
        ),
        migrations.AddField(
            model_name="fee",
            name="valid_from",
            field=models.DateField(null=True, verbose_name="valid from"),
        ),
        migrations.AddField(
            model_name="fee",
            name="valid_until",
            field=models.DateField(
                blank=True,
                help_text="Last day in force; empty: until the next tariff.",
                null=True,
                verbose_name="valid until",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="collectivity",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.territory",
                verbose_name="collectivity",
            ),
        ),
        migrations.RunPython(date_and_place, migrations.RunPython.noop),
    ]
