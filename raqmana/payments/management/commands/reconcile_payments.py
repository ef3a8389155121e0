from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from raqmana.payments.providers import payment_provider
from raqmana.payments.reconciliation import read_statement, reconcile


class Command(BaseCommand):
    help = (
        "Compare the payment provider's statement (a CSV or JSON file, or its API for a period) with the payments "
        "and refunds recorded; print and record every difference, and exit with status 1 if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--statement", type=Path, help="CSV or JSON: reference, amount, currency, state, date")
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="last day, YYYY-MM-DD")

    def handle(self, *args, statement, date_from, date_to, **options):
        if statement is not None:
            try:
                lines = read_statement(statement.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, ValueError) as error:
                raise CommandError(f"{statement}: {error}") from error
            days = sorted(line.date for line in lines)
            date_from, date_to = date_from or (days[0] if days else None), date_to or (days[-1] if days else None)
            source = str(statement)
        if date_from is None or date_to is None:
            raise CommandError("Give --statement FILE, or --from and --to to read the provider's statement.")
        if date_from > date_to:
            raise CommandError("--from is after --to.")
        if statement is None:
            provider = payment_provider()
            if provider is None:
                raise CommandError("No payment provider is configured (RAQMANA_PAYMENT_PROVIDER).")
            lines = provider.statement(date_from, date_to)
            source = f"{provider.name} API"
        run = reconcile(lines, date_from=date_from, date_to=date_to, source=source)
        differences = list(run.differences.all())
        for difference in differences:
            self.stdout.write(
                f"{difference.kind}\t{difference.reference}\there: {difference.recorded or '—'}"
                f"\tat the provider: {difference.at_provider or '—'}"
            )
        summary = f"{len(lines)} statement lines, {date_from} to {date_to}: {len(differences)} differences"
        if differences:
            raise CommandError(f"{summary} (reconciliation {run.pk}).")
        self.stdout.write(f"{summary}.")
