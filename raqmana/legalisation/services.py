"""Writes on legalisation: a signer enrolled in person; a request prepared online or brought to the counter (its
file checked, rewritten and scanned, its pages counted, its stamp duty set); the officer completing it (the
entry numbered in the office's register of the year, with no gap however many complete at once, and the stamped
document issued and sealed in the same transaction), refusing it with reasons; the citizen withdrawing it. Nothing
is deleted: a legalisation made in error is revoked through its document."""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.documents import services as documents
from raqmana.kernel.sequences import next_number
from raqmana.kernel.uploads import IMAGE_TYPES, ScannedFile, scanned_uploads
from raqmana.notifications.services import notify
from raqmana.territories.constants import UnitKind
from raqmana.territories.models import AdministrativeUnit

from . import rules, stamping
from .constants import LEGALISATION_REGISTER, MAX_COPIES, MAX_PAGES, Completion, Service
from .constants import RequestState as S
from .models import LegalisationRequest, Signer
from .workflows import HANDLE, LEGALISATION_WORKFLOW, lock_request

DOCUMENT_KINDS = {Service.SIGNATURE: "legalised_signature", Service.COPY: "certified_copy"}


def _office(office: AdministrativeUnit) -> AdministrativeUnit:
    if office.kind != UnitKind.LEGALISATION_OFFICE or not office.is_active:
        raise ValidationError({"office": _("Choose an open legalisation office.")})
    return office


def _scanned(upload: File | None, field: str, *, images_only: bool = False) -> ScannedFile:
    """The one file of `field`, checked by its content, rewritten and found clean; refused on `field`."""
    if upload is None:
        raise ValidationError({field: _("This field is required.")})
    try:
        kept = scanned_uploads(
            [upload],
            most=1,
            scanner_away=_("The virus scanner does not answer: send the file again in a few minutes."),
            **({"allowed": IMAGE_TYPES} if images_only else {}),
        )
    except ValidationError as error:
        raise ValidationError({field: error.message_dict["files"]}) from error
    return kept[0]


@transaction.atomic
def enrol_signer(
    *, by: User, office: AdministrativeUnit, national_id: str, full_name: str, specimen: File | None
) -> Signer:
    """Enrol a signer at `office`: the officer has checked their national identity card in person and captured their
    specimen signature (an image). Enrolled once for every office; their account, when one carries the same card
    number, may then prepare requests online."""
    require(by, HANDLE, _office(office))
    number = rules.national_id(national_id)
    signer = Signer(
        national_id=number, full_name=str(full_name or "").strip(), office=office, enrolled_by=by, specimen_sha256=""
    )
    signer.clean_fields(exclude=["account", "specimen", "office", "enrolled_by", "specimen_sha256"])
    enrolled = Signer.objects.filter(national_id=number).select_related("office").first()
    if enrolled is not None:
        message = _("This card's holder is already enrolled, at %(office)s on %(day)s.")
        day = timezone.localdate(enrolled.enrolled_at).strftime("%d/%m/%Y")
        raise ValidationError({"national_id": message % {"office": enrolled.office.name, "day": day}})
    scanned = _scanned(specimen, "specimen", images_only=True)
    signer.account = User.objects.filter(national_id__iexact=number, legalisation_signer__isnull=True).first()
    signer.specimen_sha256 = hashlib.sha256(scanned.clean.content).hexdigest()
    signer.specimen.save(
        f"{number}-{signer.specimen_sha256[:16]}.{scanned.clean.extension}",
        ContentFile(scanned.clean.content),
        save=False,
    )
    try:
        with transaction.atomic():
            signer.save()
    except IntegrityError:  # the same card enrolled at another counter at the same moment
        raise ValidationError({"national_id": _("This card's holder is already enrolled.")}) from None
    record(actor=by, action="legalisation.signer_enrolled", target=signer, unit=office)
    return signer


@dataclass(frozen=True)
class Document:
    """What the request says of the document: what it is, the file, where the stamp goes, how many copies."""

    subject: str
    file: File | None
    stamp_page: Any
    stamp_place: str
    copies: Any = 1


def _new_request(
    *, service: str, office: AdministrativeUnit, document: Document, requester_name: str, requester_card: str
) -> tuple[LegalisationRequest, bytes]:
    """The request as typed, every field checked, and its file as a PDF; nothing written yet."""
    if service not in Service.values:
        raise ValidationError({"service": _("Choose a service.")})
    request = LegalisationRequest(
        service=service,
        office=_office(office),
        requester_name=str(requester_name or "").strip(),
        requester_card=requester_card,
        subject=str(document.subject or "").strip(),
        stamp_place=document.stamp_place,
        stamp_page=1,
        pages=1,
        copies=1,
        stamp_duty=0,
        document_sha256="",
    )
    request.clean_fields(
        exclude=["office", "signer", "requester", "document", "document_sha256", "output", "completed_by", "stamp_duty"]
    )
    copies = _whole(document.copies, "copies", 1, MAX_COPIES)
    if service == Service.SIGNATURE and copies != 1:
        raise ValidationError({"copies": _("A signature is legalised on one document.")})
    scanned = _scanned(document.file, "document")
    pdf = stamping.as_pdf(scanned.clean.content, scanned.clean.extension)
    pages = stamping.page_count(pdf)
    if pages > MAX_PAGES:
        raise ValidationError({"document": _("At most %(count)d pages.") % {"count": MAX_PAGES}})
    request.stamp_page = _whole(document.stamp_page, "stamp_page", 1, pages)
    try:
        stamping.check_stampable(pdf, page=request.stamp_page, place=request.stamp_place)
    except stamping.Unstampable:
        raise ValidationError(
            {"stamp_page": _("The stamp cannot be laid on this page: choose another page, or scan the document again.")}
        ) from None
    request.pages, request.copies = pages, copies
    request.stamp_duty = rules.stamp_duty(pages, copies)
    request.document_sha256 = hashlib.sha256(pdf).hexdigest()
    return request, pdf


def _whole(value: Any, field: str, least: int, most: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not least <= number <= most:
        message = _("Enter a whole number from %(least)d to %(most)d.") % {"least": least, "most": most}
        raise ValidationError({field: message})
    return number


def _save(request: LegalisationRequest, pdf: bytes, by: User) -> LegalisationRequest:
    request.document.save(f"{request.document_sha256[:24]}.pdf", ContentFile(pdf), save=False)
    request.save()
    LEGALISATION_WORKFLOW.open(request, by=by)
    record(actor=by, action="legalisation.prepared", target=request, unit=request.office)
    return request


def prepare_request(*, by: User, service: str, office: AdministrativeUnit, document: Document) -> LegalisationRequest:
    """A citizen prepares a request online: a signature of theirs to legalise (they must be enrolled), or a copy to
    certify (in their name, by their account's card number). They then come to the office with their card (and the
    original of a copy), or the officer completes it remotely where that is allowed."""
    if service == Service.SIGNATURE:
        signer = Signer.objects.filter(account_id=by.pk).first() or _link_enrolment(by)
        if signer is None:
            raise ValidationError(
                {
                    "service": _(
                        "Enrol once at a legalisation office, with your identity card, to prepare signatures online."
                    )
                }
            )
        name, card = signer.full_name, signer.national_id
    else:
        signer, name = None, by.full_name
        try:
            card = rules.national_id(by.national_id or "", field="service")
        except ValidationError:
            message = _(
                "A copy is certified in the name on your national identity card: sign in with the national "
                "electronic identity, or ask for the copy at the counter."
            )
            raise ValidationError({"service": message}) from None
    request, pdf = _new_request(
        service=service, office=office, document=document, requester_name=name, requester_card=card
    )
    request.signer, request.requester, request.online = signer, by, True
    with transaction.atomic():
        return _save(request, pdf, by)


def _link_enrolment(person: User) -> Signer | None:
    """The enrolment of the holder of the person's card made before they had an account (the account's card number
    comes from the national electronic identity), linked to it now, once, and logged."""
    try:
        card = rules.national_id(person.national_id or "")
    except ValidationError:
        return None
    with transaction.atomic():
        signer = Signer.objects.select_for_update().filter(national_id=card, account__isnull=True).first()
        if signer is None:
            return None
        signer.account = person
        signer.save(update_fields=["account"])
        record(actor=person, action="legalisation.signer_linked", target=signer, unit=signer.office)
    return signer


def legalise_at_counter(
    *,
    by: User,
    office: AdministrativeUnit,
    service: str,
    document: Document,
    national_id: str,
    requester_name: str = "",
    identity_checked: bool = False,
    duty_receipt: str = "",
) -> LegalisationRequest:
    """The officer legalises a signature (of an enrolled signer, before them) or certifies a copy (its original
    shown) brought to the counter: prepared and completed at once, entered in the register."""
    require(by, HANDLE, _office(office))
    card = rules.national_id(national_id)
    signer = None
    if service == Service.SIGNATURE:
        signer = Signer.objects.filter(national_id=card).first()
        if signer is None:
            raise ValidationError({"national_id": _("Enrol this signer first: their specimen signature is needed.")})
        requester_name = signer.full_name
    elif not str(requester_name or "").strip():
        raise ValidationError({"requester_name": _("This field is required.")})
    rules.check_completion(service, Completion.COUNTER, identity_checked=identity_checked, enrolled=signer is not None)
    request, pdf = _new_request(
        service=service, office=office, document=document, requester_name=requester_name, requester_card=card
    )
    receipt = _check_receipt(request, duty_receipt)
    request.signer, request.requester = signer, signer.account if signer else None
    with transaction.atomic():
        _save(request, pdf, by)
        return _complete(request, by=by, completion=Completion.COUNTER, duty_receipt=receipt)


def _check_receipt(request: LegalisationRequest, duty_receipt: str) -> str:
    """The stamp duty's receipt as it is recorded: required when duty is owed, text checked, used once."""
    receipt = str(duty_receipt or "").strip()
    if request.stamp_duty and not receipt:
        message = _("Enter the reference of the stamp duty paid (%(amount)s MAD).") % {"amount": request.stamp_duty}
        raise ValidationError({"duty_receipt": message})
    # A stamp duty receipt pays one request: the same reference twice would let one payment cover two.
    if receipt and LegalisationRequest.objects.filter(duty_receipt=receipt).exclude(pk=request.pk).exists():
        raise ValidationError({"duty_receipt": _("This receipt was already used for another legalisation.")})
    return LegalisationRequest.checked_text("duty_receipt", receipt)


def complete(
    request: LegalisationRequest, *, by: User, completion: str, identity_checked: bool = False, duty_receipt: str = ""
) -> LegalisationRequest:
    """The officer completes a prepared request: at the counter (the signer's card checked in person, or the copy
    compared with its original) or remotely for an enrolled signer; the stamp duty's receipt recorded."""
    if completion not in Completion.values:
        raise ValidationError({"completion": _("Choose how it is completed.")})
    rules.check_completion(
        request.service, completion, identity_checked=identity_checked, enrolled=request.signer_id is not None
    )
    receipt = _check_receipt(request, duty_receipt)
    with transaction.atomic():
        return _complete(lock_request(request.pk), by=by, completion=completion, duty_receipt=receipt)


def _complete(request: LegalisationRequest, *, by: User, completion: str, duty_receipt: str) -> LegalisationRequest:
    """Within the caller's transaction, the request locked: entered in the register and its document issued."""
    request.year = timezone.localdate().year
    request.number = next_number(LEGALISATION_REGISTER, request.office, request.year)
    request.completed_at, request.completed_by = timezone.now(), by
    request.completion, request.duty_receipt = completion, duty_receipt
    # Moved first: the document certifies a completed entry. Its issue failing undoes the move and the number.
    LEGALISATION_WORKFLOW.move(request, S.COMPLETED, by=by)
    request.output = documents.issue_document(
        request,
        DOCUMENT_KINDS[Service(request.service)],
        unit=request.office,
        issued_by=by,
        requester={"name": request.requester_name, "document": request.requester_card},
        purpose=request.subject,
        account=request.requester,
    )
    request.save(
        update_fields=[
            "state",
            "year",
            "number",
            "completed_at",
            "completed_by",
            "completion",
            "duty_receipt",
            "output",
        ]
    )
    record(
        actor=by,
        action="legalisation.completed",
        target=request,
        unit=request.office,
        details={"number": request.reference},
    )
    _tell(request, "legalisation.completed")
    return request


@transaction.atomic
def refuse(request: LegalisationRequest, *, by: User, reason: str) -> LegalisationRequest:
    """The officer refuses a prepared request, saying why (the document is not the one signed, the original differs,
    the signer did not come): nothing is entered in the register."""
    reason = LegalisationRequest.checked_text("refusal_reason", str(reason or "").strip(), error_key="reason")
    if not reason:
        raise ValidationError({"reason": _("Say why the request is refused.")})
    request = lock_request(request.pk)
    LEGALISATION_WORKFLOW.move(request, S.REFUSED, by=by, reason=reason)
    request.refusal_reason = reason
    request.save(update_fields=["state", "refusal_reason"])
    record(actor=by, action="legalisation.refused", target=request, unit=request.office, reason=reason)
    _tell(request, "legalisation.refused", reason=reason)
    return request


@transaction.atomic
def withdraw(request: LegalisationRequest, *, by: User) -> LegalisationRequest:
    """The citizen withdraws a request the officer has not completed yet."""
    if request.requester_id != by.pk:
        raise PermissionDenied(_("Only the person who prepared the request does this."))
    request = lock_request(request.pk)
    LEGALISATION_WORKFLOW.move(request, S.WITHDRAWN, by=by)
    request.save(update_fields=["state"])
    record(actor=by, action="legalisation.withdrawn", target=request, unit=request.office)
    return request


def _tell(request: LegalisationRequest, key: str, **context: Any) -> None:
    if request.requester is None:
        return
    url = documents.public_url("legalisation:request", request.pk)
    notify(request.requester, key, {"request": request, "url": url, **context}, unit=request.office)
