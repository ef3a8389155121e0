from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from raqmana.calendars.services import load_holidays


class Command(BaseCommand):
    help = (
        "Create Morocco's public holidays for a range of years (fixed dates and Hijri feasts) and move the derived "
        "Hijri feasts to the official month starts recorded since; keeps rows added or edited by hand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        this_year = timezone.localdate().year
        parser.add_argument("--from", dest="first", type=int, default=this_year - 2)
        parser.add_argument("--to", dest="last", type=int, default=this_year + 2)

    def handle(self, *args: str, first: int, last: int, **options: object) -> None:
        changes = load_holidays(first, last)
        self.stdout.write(f"Holidays {first}-{last}: {changes.created} created, {changes.removed} removed.")
