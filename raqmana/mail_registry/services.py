"""Writes on the mail registry: a letter registered, numbered at once in its commune's register of the year and
direction (no gap, however many register at once), its scans checked and kept, its answer and what it concerns
linked. Nothing registered is ever changed or deleted: a mistake is corrected by a letter registered anew."""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.complaints.models import Complaint
from raqmana.documents.services import keep
from raqmana.kernel.sequences import next_number
from raqmana.kernel.uploads import scanned_uploads
from raqmana.procedures.models import Dossier
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory
from raqmana.territories.services import collectivity_unit

from .constants import MAX_FILES, REGISTERS, Direction
from .models import MailEntry, MailFile


def register_letter(
    *,
    by: User,
    commune: Territory,
    direction: str,
    correspondent: str,
    subject: str,
    letter_date: date | None = None,
    correspondent_reference: str = "",
    confidential: bool = False,
    routed_to: str = "",
    answer_due_on: date | None = None,
    in_reply_to: MailEntry | None = None,
    dossier: Dossier | None = None,
    complaint: Complaint | None = None,
    files: Sequence[File] = (),
) -> MailEntry:
    """Register a letter of `commune` (incoming: its sender; outgoing: its recipient), with up to three scans. An
    outgoing letter may answer an incoming one of the same commune not yet answered; a letter may concern one of
    the commune's dossiers or complaints."""
    if commune.level != Level.COMMUNE:
        raise ValidationError({"commune": _("Choose a commune.")})
    require(by, "mail_registry.letter.register", commune)
    today = timezone.localdate()
    entry = MailEntry(
        commune=commune,
        direction=direction,
        registered_by=by,
        correspondent=str(correspondent or "").strip(),
        correspondent_reference=str(correspondent_reference or "").strip(),
        subject=str(subject or "").strip(),
        routed_to=str(routed_to or "").strip(),
        confidential=bool(confidential),
        letter_date=letter_date,
        answer_due_on=answer_due_on,
        year=today.year,
        number=0,
    )
    # Choices, lengths and texts checked as stored (CheckedTextModel): refused on their fields.
    entry.clean_fields(exclude=["commune", "unit", "registered_by", "number", "in_reply_to", "dossier", "complaint"])
    if letter_date is not None and letter_date > today:
        raise ValidationError({"letter_date": _("A letter is not dated later than today.")})
    if answer_due_on is not None and (direction != Direction.INCOMING or answer_due_on < today):
        raise ValidationError({"answer_due_on": _("Only an incoming letter awaits an answer, by today or later.")})
    if in_reply_to is not None and (direction != Direction.OUTGOING or in_reply_to.direction != Direction.INCOMING):
        raise ValidationError({"in_reply_to": _("An outgoing letter answers an incoming one.")})
    if in_reply_to is not None and in_reply_to.commune_id != commune.pk:
        raise ValidationError({"in_reply_to": _("The letter answered is not in this commune's register.")})
    if dossier is not None and dossier.commune_id != commune.pk:
        raise ValidationError({"dossier": _("This dossier does not concern this commune.")})
    if complaint is not None and complaint.collectivity_id != commune.pk:
        raise ValidationError({"complaint": _("This complaint does not concern this commune.")})
    entry.in_reply_to, entry.dossier, entry.complaint = in_reply_to, dossier, complaint
    scanned = scanned_uploads(
        files,
        most=MAX_FILES,
        scanner_away=_("The virus scanner does not answer: register the letter again in a few minutes."),
    )
    with transaction.atomic():
        if in_reply_to is not None and MailEntry.objects.select_for_update().filter(in_reply_to=in_reply_to).exists():
            raise ValidationError({"in_reply_to": _("This letter is already answered.")})
        entry.unit = collectivity_unit(commune)
        entry.number = next_number(REGISTERS[Direction(direction)], entry.unit, entry.year)
        entry.save()
        for one in scanned:
            keep(one, MailFile(entry=entry), prefix=entry.pk)
        record(actor=by, action="mail.registered", target=entry, unit=entry.unit, details={"number": entry.reference})
    return entry
