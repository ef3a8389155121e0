from django.core.management.base import BaseCommand

from raqmana.procedures.services.windows import open_single_windows


class Command(BaseCommand):
    help = "Open the offices that receive dossiers where none exists (urbanism single windows, communes' services)."

    def handle(self, *args, **options):
        opened = open_single_windows()
        self.stdout.write(", ".join(f"{kind}: {count} opened" for kind, count in opened.items()))
