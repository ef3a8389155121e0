"""The files of a dossier: typed by their content, size-limited, rewritten, and kept pending until the virus scanner
finds them clean; an infected one is refused at once, or, found later, loses its bytes and leaves its field (the
applicant is told). Nothing is deleted: a file taken off is marked removed."""

import hashlib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.kernel.scanning import SCAN_RETRY_MINUTES, ScannerUnavailable, ScanState, scan
from raqmana.kernel.tasks import enqueue_now, enqueue_on_commit
from raqmana.kernel.uploads import clean_stored_upload, file_name_of

from ..formdefs import Field, FieldType
from ..models import Attachment, Dossier
from ..tasks import scan_attachment
from ..workflows import lock_dossier
from .filing import EDITABLE_STATES, check_applicant, check_editable, tell

VIRUS_FOUND = gettext_lazy("The virus scanner found a threat in this file: it was not kept.")
MAX_NAME = 200


def file_fields_by_path(dossier: Dossier) -> dict[str, Field]:
    """The dossier's file fields by the paths their attachments take: a top-level field by its key, a field of a
    repeatable block by "block.*.key" (its entries' paths are "block.N.key")."""
    fields: dict[str, Field] = {}
    for item in dossier.version.form.fields:
        if item.type == FieldType.FILE:
            fields[item.key] = item
        elif item.type == FieldType.REPEAT:
            for sub in item.fields:
                if sub.type == FieldType.FILE:
                    fields[f"{item.key}.*.{sub.key}"] = sub
    return fields


def attachment_field(dossier: Dossier, path: str) -> Field:
    """The file field a path names ("key", or "block.N.key" for entry N of a repeatable block, within the block's
    number of entries), or ValidationError."""
    parts = path.split(".")
    item: Field | None = None
    if len(parts) == 1:
        item = file_fields_by_path(dossier).get(path)
    elif len(parts) == 3 and parts[1].isascii() and parts[1].isdigit() and parts[1] == str(int(parts[1])):
        block = dossier.version.form.field(parts[0])
        if block is not None and block.type == FieldType.REPEAT and int(parts[1]) < block.max_items:
            item = file_fields_by_path(dossier).get(f"{parts[0]}.*.{parts[2]}")
    if item is None:
        raise ValidationError(_("This form has no such file field."), code="no_such_field")
    return item


def attach(dossier: Dossier, path: str, upload: File, *, by: User) -> Attachment:
    """Keep a file for the field at `path`: checked and rewritten from its content, scanned (pending when the
    scanner does not answer, scanned later), and refused when infected, kept nowhere, with the refusal audited.
    It is in its field's answers from then on (`filing.checked_answers`)."""
    check_applicant(dossier, by)
    check_editable(dossier)
    field = attachment_field(dossier, path)
    clean = clean_stored_upload(upload)  # outside the transaction: rewriting and scanning may take seconds
    try:
        state, signature = scan(clean.content).state, ""
    except ScannerUnavailable:
        state, signature = ScanState.PENDING, ""
    if state == ScanState.INFECTED:
        record(
            actor=by,
            action="dossier.attachment_refused_infected",
            target=dossier,
            unit=dossier.unit,
            details={"file": file_name_of(upload)[:MAX_NAME]},
        )
        raise ValidationError(str(VIRUS_FOUND), code="infected")
    with transaction.atomic():
        _worked_on(dossier)
        _check_room(dossier, path, field)  # locked: two uploads at once do not both take the last place
        attachment = Attachment(
            dossier=dossier,
            path=path,
            name=file_name_of(upload)[:MAX_NAME] or f"file.{clean.extension}",
            extension=clean.extension,
            size=len(clean.content),
            sha256=hashlib.sha256(clean.content).hexdigest(),
            scan=state,
            scan_signature=signature,
            uploaded_by=by,
        )
        attachment.file.save(
            f"{dossier.pk}-{attachment.sha256[:16]}.{clean.extension}", ContentFile(clean.content), save=False
        )
        attachment.save()
        if state == ScanState.PENDING:
            enqueue_on_commit(scan_attachment, attachment.pk, 0)
    return attachment


def _worked_on(dossier: Dossier) -> None:
    """Mark the dossier worked on (no longer about to expire), which locks its row, while it may still change; else
    refuse. Only its state is read again: what else the caller holds of it an upload does not change."""
    writes = {"updated_at": timezone.now(), "expiry_warned_at": None}
    if Dossier.objects.filter(pk=dossier.pk, state__in=EDITABLE_STATES).update(**writes):
        return
    dossier.state = Dossier.objects.select_for_update().values_list("state", flat=True).get(pk=dossier.pk)
    check_editable(dossier)  # refuses, unless it was sent back for corrections in between
    Dossier.objects.filter(pk=dossier.pk).update(**writes)


def _check_room(dossier: Dossier, path: str, field: Field) -> None:
    """A field keeps no more files than it takes."""
    kept = (
        Attachment.objects.filter(dossier_id=dossier.pk, path=path, removed_at=None)
        .exclude(scan=ScanState.INFECTED)
        .count()
    )
    if kept >= field.max_items:
        raise ValidationError(
            ngettext(
                "This field takes %(count)d file: remove it to give another.",
                "This field takes %(count)d files: remove one to give another.",
                field.max_items,
            )
            % {"count": field.max_items},
            code="too_many_files",
        )


def remove_attachment(attachment: Attachment, *, by: User) -> None:
    """Take a file off a draft or a dossier being corrected: marked removed, it leaves its field."""
    with transaction.atomic():
        dossier = lock_dossier(attachment.dossier_id)
        check_applicant(dossier, by)
        check_editable(dossier)
        attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if attachment.removed_at is not None:
            return
        attachment.removed_at = timezone.now()
        attachment.save(update_fields=["removed_at"])


def scan_pending_attachment(attachment_id: int, attempt: int = 0) -> str:
    """Scan a file left pending: clean, or infected: its bytes deleted, its row kept (it leaves its field), and the
    applicant is told. When the scanner is still away, try again later where the backend can wait."""
    attachment = Attachment.objects.get(pk=attachment_id)
    if attachment.scan != ScanState.PENDING or not attachment.file:
        return attachment.scan
    with attachment.file.open("rb") as stored:
        content = stored.read()
    try:
        result = scan(content)
    except ScannerUnavailable:
        if attempt < len(SCAN_RETRY_MINUTES) and scan_attachment.get_backend().supports_defer:
            delay = timedelta(minutes=SCAN_RETRY_MINUTES[attempt])
            enqueue_now(scan_attachment, attachment_id, attempt + 1, delay=delay)
        return ScanState.PENDING
    with transaction.atomic():
        dossier = lock_dossier(attachment.dossier_id)
        attachment = Attachment.objects.select_for_update().get(pk=attachment_id)
        if attachment.scan != ScanState.PENDING:
            return attachment.scan
        if result.state == ScanState.CLEAN:
            attachment.scan = ScanState.CLEAN
            attachment.save(update_fields=["scan"])
            return attachment.scan
        attachment.scan, attachment.scan_signature = ScanState.INFECTED, result.signature[:200]
        storage, name = attachment.file.storage, attachment.file.name or ""
        attachment.file = ""
        attachment.save(update_fields=["scan", "scan_signature", "file"])
        transaction.on_commit(lambda: storage.delete(name), robust=True)
        record(
            actor=None,
            action="dossier.attachment_infected",
            target=dossier,
            unit=dossier.unit,
            details={"signature": result.signature[:200], "file": attachment.name},
        )
        tell(dossier, "procedures.attachment_infected", attachment=attachment)
    return attachment.scan


def scan_pending_attachments() -> int:
    """The periodic sweep: every file still pending is scanned; returns how many remain pending."""
    pending = Attachment.objects.filter(scan=ScanState.PENDING).exclude(file="")
    return sum(
        scan_pending_attachment(pk, attempt=len(SCAN_RETRY_MINUTES)) == ScanState.PENDING
        for pk in pending.values_list("pk", flat=True)
    )


def remove_entry(dossier: Dossier, block: str, index: int, *, by: User) -> None:
    """Take entry `index` off a repeatable block of a draft or a dossier being corrected: its files are marked
    removed, and the files of the entries after it follow them to their new places ("lots.3.plan" becomes
    "lots.2.plan"), so that no file changes entry."""
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        check_applicant(dossier, by)
        check_editable(dossier)
        field = dossier.version.form.field(block)
        if field is None or field.type != FieldType.REPEAT or not 0 <= index < field.max_items:
            raise ValidationError(_("This form has no such entry."), code="no_such_entry")
        now = timezone.now()
        files = dossier.attachments.select_for_update().filter(removed_at__isnull=True, path__startswith=f"{block}.")
        for attachment in files:
            _block, position, key = attachment.path.split(".")
            if int(position) == index:
                attachment.removed_at = now
                attachment.save(update_fields=["removed_at"])
            elif int(position) > index:
                attachment.path = f"{block}.{int(position) - 1}.{key}"
                attachment.save(update_fields=["path"])
        entries = dossier.answers.get(block)
        if isinstance(entries, list) and index < len(entries):
            dossier.answers = {**dossier.answers, block: entries[:index] + entries[index + 1 :]}
        dossier.save(update_fields=["answers", "updated_at"])
