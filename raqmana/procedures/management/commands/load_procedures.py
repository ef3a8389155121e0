from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from raqmana.procedures.loading import DEFINITIONS_DIR, Outcome, load_definitions


class Command(BaseCommand):
    help = (
        "Load the catalogue's procedures from their definition files (raqmana/procedures/definitions/*.json): each "
        "procedure's catalogue entry is created or updated, and its form added as a new version when the file's "
        "version is above the stored one. A faulty file is refused with all its faults; the others still load. "
        "Exits with an error when a file was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", type=Path, default=DEFINITIONS_DIR, help="where the *.json files are")

    def handle(self, *args: str, directory: Path, **options: object) -> None:
        if not directory.is_dir():
            raise CommandError(f"No directory {directory}.")
        # A terminal's report, in English: right-to-left messages would break its lines.
        with translation.override("en"):
            report = load_definitions(directory)
            for item in report.files:
                if item.outcome == Outcome.REFUSED:
                    self.stderr.write(self.style.ERROR(item.describe()))
                    for error in item.errors:
                        self.stderr.write(f"  - {error}")
                elif int(options["verbosity"]) >= 1:  # type: ignore[call-overload]
                    self.stdout.write(item.describe())
                for warning in item.warnings:
                    self.stderr.write(self.style.WARNING(f"{item.file}: {warning}"))
        counts = ", ".join(f"{len(report.of(outcome))} {outcome}" for outcome in Outcome)
        self.stdout.write(f"Procedures: {counts}.")
        if report.refused:
            raise CommandError(f"{len(report.refused)} definition file(s) refused.")
