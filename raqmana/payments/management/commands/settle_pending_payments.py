from django.core.management.base import BaseCommand, CommandError

from raqmana.payments.confirmations import settle_pending_payments


class Command(BaseCommand):
    help = (
        "Ask the payment provider about every payment it has not confirmed (pending past "
        "RAQMANA_PAYMENT_CONFIRMATION_MINUTES, or failed or cancelled lately) and settle it, or cancel it past "
        "RAQMANA_PAYMENT_EXPIRY_DAYS; once (the periodic task of the same name runs it every five minutes). Exits with "
        "status 1 when a payment could not be asked about or settled (logged; asked again next run)."
    )

    def handle(self, *args, **options):
        sweep = settle_pending_payments()
        summary = ", ".join(f"{what} {count}" for what, count in sweep.as_dict().items())
        if sweep.errors:
            raise CommandError(summary)
        self.stdout.write(summary)
