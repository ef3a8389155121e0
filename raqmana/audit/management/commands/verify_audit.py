from datetime import date

from django.core.management.base import BaseCommand, CommandError

from raqmana.audit.chain import missing_chains, one_snapshot, verify


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chains and name the first event edited, inserted or deleted in each, a head "
        "that no longer matches its seal, and the chains deleted whole (a gap in the heads' ordinals, looked for "
        "whatever the days asked); exits with status 1 when one is found. The most recent chains or events removed "
        "together with the counter lowered, or a head put back as it was earlier, leave no trace inside the "
        "database: keep the seals printed by --print-seals elsewhere (at the end of each day) and compare."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", type=date.fromisoformat, help="only this day's chains (YYYY-MM-DD)")
        parser.add_argument("--from", dest="first_day", type=date.fromisoformat, help="from this day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last_day", type=date.fromisoformat, help="up to this day (YYYY-MM-DD)")
        parser.add_argument(
            "--print-seals",
            action="store_true",
            help="also print each chain's head (ordinal, day, partition, length, last hash, seal), to be kept "
            "outside the database",
        )

    def handle(self, *args, day=None, first_day=None, last_day=None, print_seals=False, **options):
        if day is not None:
            if first_day is not None or last_day is not None:
                raise CommandError("Give --day, or --from and --to, not both.")
            first_day = last_day = day
        with one_snapshot():
            chains = events = broken = 0
            for chain, found in verify(first_day, last_day):
                chains += 1
                events += chain.length
                if print_seals:
                    self.stdout.write(
                        f"{chain.ordinal} {chain.day:%Y-%m-%d} {chain.partition} {chain.length} {chain.last_hash} "
                        f"{chain.seal}"
                    )
                if found is not None:
                    broken += 1
                    self.stderr.write(f"BROKEN {found}")
            missing = missing_chains()
            for gap in missing:
                self.stderr.write(f"MISSING {gap}")
        summary = f"{chains} chains, {events} events recorded by their heads"
        if broken or missing:
            self.stderr.write(f"{broken} of {summary} are broken; {len(missing)} runs of chains are missing.")
            raise SystemExit(1)
        self.stdout.write(f"{summary}: every chain is whole, none is missing.")
