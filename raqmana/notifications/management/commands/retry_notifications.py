from django.core.management.base import BaseCommand

from raqmana.notifications.services import send_due_notifications


class Command(BaseCommand):
    help = (
        "Run the notifications' sweep once: send every unsent notification that is due (new, to be tried again after "
        "a failure, or left by a worker that stopped mid-send), with the same message id as before; give up those "
        "whose last attempt failed. The periodic task send_due_notifications does the same every minute."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{send_due_notifications()} notifications sent.")
