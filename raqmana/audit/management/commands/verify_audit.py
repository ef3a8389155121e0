from datetime import date

from django.core.management.base import BaseCommand, CommandError

from raqmana.audit.chain import verify


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chains and name the first event edited, inserted or deleted in each; "
        "exits with status 1 when one is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", type=date.fromisoformat, help="only this day's chains (YYYY-MM-DD)")
        parser.add_argument("--from", dest="first_day", type=date.fromisoformat, help="from this day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last_day", type=date.fromisoformat, help="up to this day (YYYY-MM-DD)")

    def handle(self, *args, day=None, first_day=None, last_day=None, **options):
        if day is not None:
            if first_day is not None or last_day is not None:
                raise CommandError("Give --day, or --from and --to, not both.")
            first_day = last_day = day
        chains = events = broken = 0
        for chain, found in verify(first_day, last_day):
            chains += 1
            events += chain.length
            if found is not None:
                broken += 1
                self.stderr.write(f"BROKEN {found}")
        summary = f"{chains} chains, {events} events recorded by their heads"
        if broken:
            self.stderr.write(f"{broken} of {summary} are broken.")
            raise SystemExit(1)
        self.stdout.write(f"{summary}: every chain is whole.")
