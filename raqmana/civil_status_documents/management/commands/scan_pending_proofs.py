from django.core.management.base import BaseCommand, CommandError

from raqmana.civil_status_documents.proofs import scan_pending_proofs


class Command(BaseCommand):
    help = (
        "Scan the proofs that arrived while the virus scanner was away; exit with status 1 while some still wait. "
        "Run every few minutes."
    )

    def handle(self, *args, **options):
        waiting = scan_pending_proofs()
        if waiting:
            raise CommandError(f"{waiting} proofs still wait for the virus scanner.")
        self.stdout.write("No proof waits for the virus scanner.")
