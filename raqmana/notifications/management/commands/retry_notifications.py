from django.core.management.base import BaseCommand

from raqmana.notifications.services import retry_due_notifications


class Command(BaseCommand):
    help = (
        "Send again the notifications whose last send failed and whose next attempt is due (the delays grow after "
        "each failure; after the last the error stays recorded). Run every few minutes."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{retry_due_notifications()} notifications sent.")
