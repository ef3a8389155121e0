from django.core.management.base import BaseCommand

from raqmana.workflows.services import run_due_clocks


class Command(BaseCommand):
    help = (
        "Take every workflow transition whose clock has run out (an order left unpaid expires...), each once, even "
        "when two runs overlap. Run every few minutes from cron, or let Celery beat run the task."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{run_due_clocks()} clocks taken.")
