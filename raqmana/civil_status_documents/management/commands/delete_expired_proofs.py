from django.conf import settings
from django.core.management.base import BaseCommand

from raqmana.civil_status_documents.proofs import delete_expired_proofs


class Command(BaseCommand):
    help = (
        "Delete the proofs of orders ended without a document (never paid, refused, cancelled) once "
        "RAQMANA_PROOF_RETENTION_DAYS have passed since their last change; an order still unpaid is cancelled with "
        "it, one whose payment is under review keeps it. Each deletion is audited. Run daily."
    )

    def handle(self, *args, **options):
        deleted = delete_expired_proofs()
        self.stdout.write(f"{deleted} proofs deleted (retention: {settings.RAQMANA_PROOF_RETENTION_DAYS} days).")
