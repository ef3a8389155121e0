"""Lists of dossiers exported in the background, CSV or XLSX, streamed row by row from the database to a file
(openpyxl's write-only workbook keeps no row in memory), the progress kept as it goes, the requester told when it
is ready. What is exported is what the requester reads (the scoping of the queue), as of the request."""

import csv
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from raqmana.access.scoping import scopes_of
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.civil_status.selectors import workplace_of
from raqmana.kernel.tasks import enqueue_on_commit
from raqmana.notifications.services import notify

from ..constants import DossierState
from ..models import Dossier, DossierExport
from ..selectors import dossiers_visible_to
from ..tasks import write_export

CHUNK = 2000
READ_PERMISSION = "procedures.dossier.read"
# What makes a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    gettext_lazy("Reference"),
    gettext_lazy("Procedure"),
    gettext_lazy("State"),
    gettext_lazy("Commune (HCP code)"),
    gettext_lazy("Office"),
    gettext_lazy("Filed at"),
    gettext_lazy("Decided at"),
    gettext_lazy("Legal delay (days)"),
    gettext_lazy("In working days"),
    gettext_lazy("Filed online"),
    gettext_lazy("Applicant"),
    gettext_lazy("Construction tax (MAD)"),
)


def request_export(
    user: User, *, format: str, state: str = "", procedure: str = "", mine: bool = False
) -> DossierExport:
    """Queue an export of the dossiers the user reads, filtered as the queue is (`mine`: those assigned to them);
    written in the background."""
    try:
        export_format = DossierExport.Format(format)
    except ValueError:
        raise ValidationError({"format": _("Choose CSV or XLSX.")}) from None
    filters: dict[str, Any] = {key: value for key, value in (("state", state), ("procedure", procedure)) if value}
    if mine:
        filters["assigned_to"] = user.pk
    filters["places"] = places_read_by(user)
    if state and state not in DossierState.values:
        raise ValidationError({"state": _("No such state.")})
    with transaction.atomic():
        export = DossierExport.objects.create(requested_by=user, format=export_format, filters=filters)
        enqueue_on_commit(write_export, export.pk)
    return export


def exported(export: DossierExport) -> QuerySet[Dossier]:
    """The rows of an export, as the requester reads them, in filing order."""
    dossiers = dossiers_visible_to(export.requested_by)
    if export.filters.get("state"):
        dossiers = dossiers.filter(state=export.filters["state"])
    if export.filters.get("procedure"):
        dossiers = dossiers.filter(procedure__code=export.filters["procedure"])
    if export.filters.get("assigned_to"):
        dossiers = dossiers.filter(assigned_to=export.filters["assigned_to"])
    return dossiers.order_by("filed_at", "pk")


def places_read_by(user: User) -> list[list[int | None]]:
    """The places (territory, unit) where the user reads dossiers, as an export keeps them."""
    places = [[scope.territory_id, scope.unit_id] for scope in scopes_of(user, READ_PERMISSION)]
    return sorted(places, key=lambda place: (place[0] or 0, place[1] or 0))


def open_for_download(export: DossierExport, *, by: User) -> File:
    """The export's file, opened for its requester (the caller checks who asks) while they still read every place
    it was written for (an agent moved to another commune no longer takes away the former one's list), the download
    kept in the audit trail as the writing is: a list of personal data leaving the platform. ValidationError while
    it is not ready or when those places changed; FileNotFoundError when its file is gone."""
    if export.state != DossierExport.State.READY or not export.file:
        raise ValidationError(_("This export is not ready yet."), code="not_ready")
    written_for = export.filters.get("places")  # none kept: written before places were kept, so never shown held
    held = {tuple(place) for place in places_read_by(by)}
    if written_for is None or not {tuple(place) for place in written_for} <= held:
        raise ValidationError(
            _("The places where you read dossiers have changed since this export: ask for a new one."),
            code="places_changed",
        )
    opened = export.file.open("rb")
    _record(export, action="dossier.export_downloaded", actor=by)
    return opened


def _record(export: DossierExport, action: str, actor: User) -> None:
    """An export written or downloaded, in the audit trail at the actor's place: its rows and filters."""
    place = workplace_of(actor)
    details = {"rows": export.written, "filters": export.filters}
    record(actor=actor, action=action, target=export, actor_place=place, national=place is None, details=details)


def _inert(value: Any) -> Any:
    """A text as a spreadsheet shows it, never as a formula it runs (an account named "=HYPERLINK(...)")."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _rows(dossiers: QuerySet[Dossier]) -> Iterator[list[Any]]:
    states = dict(DossierState.choices)
    fields = (
        "unit__code", "year", "number", "procedure__code", "state", "commune__code", "filed_at", "decided_at",
        "delay_days", "delay_in_working_days", "filed_online", "applicant__full_name", "tax_amount",
    )  # fmt: skip
    for values in dossiers.values_list(*fields).iterator(chunk_size=CHUNK):
        unit, year, number, procedure, state, commune, filed, decided, days, working, online, name, tax = values
        yield [
            f"{unit}/{year}/{number}", procedure, str(states[state]), commune, unit,
            timezone.localtime(filed).strftime("%Y-%m-%d %H:%M") if filed else "",
            timezone.localtime(decided).strftime("%Y-%m-%d %H:%M") if decided else "",
            days, bool(working), bool(online), _inert(name), str(tax) if tax is not None else "",
        ]  # fmt: skip


def write(export_id: int) -> str:
    """Write one export (the task): counted, streamed to a temporary file, stored, the requester told. A failure
    marks it failed and is logged; nothing half-written is stored."""
    export = DossierExport.objects.select_related("requested_by").get(pk=export_id)
    if export.state != DossierExport.State.QUEUED:
        return export.state
    dossiers = exported(export)
    DossierExport.objects.filter(pk=export_id).update(state=DossierExport.State.RUNNING, total=dossiers.count())
    with translation.override(export.requested_by.preferred_language or "ar"), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"dossiers.{export.format}"
        try:
            if export.format == DossierExport.Format.CSV:
                _write_csv(path, export_id, dossiers)
            else:
                _write_xlsx(path, export_id, dossiers)
        except Exception:
            DossierExport.objects.filter(pk=export_id).update(
                state=DossierExport.State.FAILED, finished_at=timezone.now()
            )
            raise
        with path.open("rb") as written:
            export.file.save(f"dossiers-{export.pk}.{export.format}", File(written), save=False)
    export.refresh_from_db(fields=["written", "total"])
    export.state, export.finished_at = DossierExport.State.READY, timezone.now()
    export.save(update_fields=["file", "state", "finished_at"])
    _record(export, action="dossier.exported", actor=export.requested_by)
    notify(export.requested_by, "procedures.export_ready", {"export": export})
    return export.state


def _progress(export_id: int, written: int) -> None:
    DossierExport.objects.filter(pk=export_id).update(written=written)


def _write_csv(path: Path, export_id: int, dossiers: QuerySet[Dossier]) -> None:
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as output:  # the BOM lets spreadsheets read Arabic
        writer = csv.writer(output)
        writer.writerow([str(label) for label in COLUMNS])
        for count, row in enumerate(_rows(dossiers), start=1):
            writer.writerow(row)
            if count % CHUNK == 0:
                _progress(export_id, count)
    _progress(export_id, count)


def _write_xlsx(path: Path, export_id: int, dossiers: QuerySet[Dossier]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Dossiers"))
    sheet.append([str(label) for label in COLUMNS])
    count = 0
    for count, row in enumerate(_rows(dossiers), start=1):
        sheet.append(row)
        if count % CHUNK == 0:
            _progress(export_id, count)
    workbook.save(path)
    _progress(export_id, count)
