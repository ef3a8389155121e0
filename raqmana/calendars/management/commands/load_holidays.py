from django.core.management.base import BaseCommand
from django.utils import timezone

from raqmana.calendars.services import load_holidays


class Command(BaseCommand):
    help = "Create Morocco's public holidays for a range of years (fixed dates and Hijri feasts); keeps edits."

    def add_arguments(self, parser):
        this_year = timezone.localdate().year
        parser.add_argument("--from", dest="first", type=int, default=this_year - 2)
        parser.add_argument("--to", dest="last", type=int, default=this_year + 2)

    def handle(self, *args, first, last, **options):
        created = load_holidays(first, last)
        self.stdout.write(f"Holidays {first}-{last}: {created} created.")
