"""Issuing documents of any kind registered (`kinds.py`): check the subject and who may have it, render, seal with
the issuing unit's key, store the PDF and record what was issued. Revoking one. Each step is audited."""

import hashlib
import re
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.kernel.codes import random_code
from raqmana.kernel.sequences import next_number
from raqmana.kernel.uploads import ScannedFile
from raqmana.territories.constants import TERRITORY_TITLES, Level
from raqmana.territories.models import AdministrativeUnit
from raqmana.territories.selectors import place_chain

from . import partner_keys
from .constants import DOCUMENT_REGISTER, VERIFICATION_CODE_LENGTH
from .kinds import DocumentKind, Requester, kind_of
from .models import IssuedDocument, KeptFile, VerificationPartner
from .rendering import isolate, render_pdf
from .signing import seal_pdf


def keep(scanned: ScannedFile, kept: KeptFile, *, prefix: object) -> KeptFile:
    """Store a file found clean (`kernel.uploads.scanned_uploads`) as `kept`, a new row of a kind of KeptFile
    linked to its record, under a name made of `prefix` (the record's key) and the start of its hash."""
    content, extension = scanned.clean.content, scanned.clean.extension
    kept.name = scanned.name or f"file.{extension}"
    kept.extension, kept.size = extension, len(content)
    kept.sha256 = hashlib.sha256(content).hexdigest()
    kept.file.save(f"{prefix}-{kept.sha256[:16]}.{extension}", ContentFile(content), save=False)
    kept.save()
    return kept


def new_verification_code() -> str:
    return random_code(VERIFICATION_CODE_LENGTH)


def format_code(code: str) -> str:
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def public_url(view_name: str, *args: object) -> str:
    """The address of a page as people outside reach it (in a QR code, a message)."""
    return settings.RAQMANA_PUBLIC_URL + reverse(view_name, args=args)


def verification_url(code: str) -> str:
    return public_url("documents:verify", code)


def issue_at_counter(
    subject: models.Model, kind: str, *, unit: AdministrativeUnit, by: User, requester: Requester, purpose: str
) -> IssuedDocument:
    """An agent issues a document at the counter of `unit`. `requester` holds name, identity document, relation,
    mandate."""
    require(by, "documents.document.issue", at=unit)
    return issue_document(subject, kind, unit=unit, issued_by=by, requester=requester, purpose=purpose)


def issue_document(
    subject: models.Model,
    kind: str,
    *,
    unit: AdministrativeUnit,
    issued_by: User | None,
    requester: Requester,
    purpose: str,
    account: User | None = None,
) -> IssuedDocument:
    """Render, seal, store and record one document. `account` is the citizen's account for an online order.

    A sealed PDF exists in storage only for a committed record, and a committed record always has its PDF:
    every input is checked (the subject and requester by the kind, lengths, texts, the requester's identity
    document) before a number is taken or a page drawn, and the sealed bytes reach storage only once the
    transaction that records the document has committed (`transaction.on_commit`, under the name the record
    already holds). A rollback anywhere, here or in a caller's transaction, leaves neither a number used nor a
    file. Only a storage that fails right after the commit would leave a record without its file (the error is
    logged): its download then says so, and an officer revokes the document and issues it again."""
    document_kind = kind_of(kind)
    if not document_kind.draws_from(subject):
        raise ValidationError({"kind": _("This document is not drawn from this kind of record.")})
    document_kind.check_subject(subject)
    _check_request(document_kind, subject, requester, purpose)

    now = timezone.now()
    document = IssuedDocument(
        kind=document_kind.code,
        subject=subject,
        unit=unit,
        year=timezone.localdate(now).year,
        verification_code=new_verification_code(),
        issued_at=now,
        issued_by=issued_by,
        requester=account,
        requester_name=requester["name"].strip(),
        requester_document=str(requester.get("document") or "").strip(),
        requester_relation=requester.get("relation", ""),
        mandate_reference=requester.get("mandate", "").strip(),
        purpose=purpose.strip(),
    )
    # Before the number and the page: lengths, choices and texts (a bidi control would reorder the sealed page).
    # The related rows are the caller's own objects: checking that they exist would cost a query each.
    document.clean_fields(
        exclude=["number", "content", "sha256", "pdf", "subject_type", "unit", "issued_by", "requester"]
    )
    document.requester_document = _checked_identity_document(
        document.requester_document, required=document_kind.identity_document_required(subject, unit)
    )
    # The checks above write nothing and refuse before the transaction. Within it, no savepoint of its own: a failure
    # there fails the caller's transaction, and a caller that goes on after one (an order's automatic issue) holds
    # its own.
    with transaction.atomic(savepoint=False):
        document.number = next_number(DOCUMENT_REGISTER, unit, document.year)
        pdf = draw(document)
        seal = seal_pdf(pdf, unit, reason=f"{document_kind.title_fr} {document.reference}")
        sealed = seal.pdf
        if seal.time_stamp is not None:
            document.seal_timestamp, document.seal_timestamp_authority = seal.time_stamp.time, seal.time_stamp.authority
        document.sha256 = hashlib.sha256(sealed).hexdigest()
        document.pdf.name = document.pdf.field.generate_filename(document, f"{document.verification_code}.pdf")
        document.save()
        transaction.on_commit(partial(_store_pdf, document.pdf.storage, document.pdf.name, sealed), robust=True)
        document.pdf.file = ContentFile(sealed)  # the caller reads the PDF before the commit stores it
        record(
            actor=issued_by or account,
            action="document.issued",
            target=document,
            reason=document.purpose,
            unit=unit,
            details={
                "kind": document_kind.code,
                "subject": document_kind.reference(subject),
                "relation": document.requester_relation,
            },
        )
        document_kind.issued(document)
    return document


def _check_request(kind: DocumentKind, subject: models.Model, requester: Requester, purpose: str) -> None:
    """The requester's name and the purpose are required; the kind says who may receive it. Every refusal at once."""
    errors: dict[str, Any] = {}
    if not str(requester.get("name", "")).strip():
        errors["requester_name"] = _("This field is required.")
    if not purpose.strip():
        errors["purpose"] = _("Say what the document is for.")
    try:
        kind.check_requester(subject, requester)
    except ValidationError as error:
        if not errors:
            raise
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _store_pdf(storage: Storage, name: str, sealed: bytes) -> None:
    """Runs once the document's record is committed: its sealed PDF goes to storage under the recorded name."""
    storage.save(name, ContentFile(sealed))


# An identity card (CIN: one or two letters and digits), a passport or a residence card: letters and digits,
# with at least one digit, as printed (spaces and hyphens dropped).
IDENTITY_DOCUMENT_NUMBER = re.compile(r"(?=.*[0-9])[A-Z0-9]{3,20}")


def _checked_identity_document(typed: str, *, required: str | Promise) -> str:
    """The requester's identity document number, normalised; refused when it does not look like one, or when
    missing where the kind requires it (`required`: why, as the refusal says it; empty when it is not)."""
    number = re.sub(r"[\s-]", "", typed).upper()
    if not number and required:
        raise ValidationError({"requester_document": ValidationError(str(required), code="identity_document_required")})
    if number and not IDENTITY_DOCUMENT_NUMBER.fullmatch(number):
        message = _(
            "Enter the number as printed on the identity card, passport or residence card: letters and digits, "
            "such as AB123456."
        )
        raise ValidationError({"requester_document": ValidationError(message, code="identity_document_number")})
    return number


@transaction.atomic
def revoke_document(document: IssuedDocument, *, by: User, reason: str) -> IssuedDocument:
    """An officer of the issuing unit withdraws a document issued in error; it stays recorded."""
    require(by, "documents.document.revoke", at=document.unit)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the document is revoked.")})
    if document.revoked_at:
        raise ValidationError(_("This document is already revoked."))
    reason = IssuedDocument.checked_text("revocation_reason", reason.strip(), error_key="reason")
    document.revoked_at, document.revoked_by, document.revocation_reason = timezone.now(), by, reason
    document.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    record(actor=by, action="document.revoked", target=document, reason=reason, unit=document.unit)
    return document


def draw(document: IssuedDocument) -> bytes:
    """Set the document's certified content, as of its issue, and return its page as a PDF, not yet sealed."""
    calendar = MoroccanHijriCalendar()
    kind = document.document_kind
    # The title is the kind's; the rest is what the owning app draws from the subject.
    document.content = {
        "title": [kind.title_ar, kind.title_fr],
        **kind.content(document.subject, document.issued_at, calendar),
    }
    url = verification_url(document.verification_code)
    page = render_pdf(printed_page(document, calendar), verify_url=url, created_at=document.issued_at)
    return page if kind.compose is None else kind.compose(document, page)


def printed_page(document: IssuedDocument, calendar: MoroccanHijriCalendar) -> dict[str, Any]:
    """Everything the PDF prints: the certified content and the lines about its own issue."""
    return {**document.content, **_issuance_lines(document, calendar)}


def _issuance_lines(document: IssuedDocument, calendar: MoroccanHijriCalendar) -> dict[str, Any]:
    """What the page says of its own issue: the authority, where, when and by whom it was issued (the agent who
    issues it, in their capacity at the unit as the kind names it; none for a document issued on payment), its
    number and how to verify it (the verification page's address and the code; the QR code holds the document's
    own address). Printed in Arabic and French whatever the screen's language."""
    unit = document.unit
    places = place_chain(unit.territory_id)
    # Where it is issued: the commune (an arrondissement's office issues in its city).
    town = next((place for place in reversed(places) if place.level == Level.COMMUNE), places[-1])
    signatory, agent = None, document.issued_by
    if agent:
        capacity = document.document_kind.capacity(agent, unit)
        signatory = {"name": isolate(agent.full_name), "capacity": capacity}
    issued_at = timezone.localtime(document.issued_at)
    return {
        "authority_ar": [
            "المملكة المغربية",
            "وزارة الداخلية",
            *[f"{TERRITORY_TITLES[Level(place.level)][0]} {place.name_ar}" for place in places],
        ],
        "authority_fr": [
            "Royaume du Maroc",
            "Ministère de l'Intérieur",
            *[f"{TERRITORY_TITLES[Level(place.level)][1]} {place.name_fr}" for place in places],
        ],
        "issuer": [unit.name_ar, unit.name_fr],
        "issued_at": [town.name_ar, town.name_fr],
        "signatory": signatory,
        "issued_on": [
            isolate(f"{issued_at:%d/%m/%Y}"),
            isolate(f"{issued_at:%H:%M}"),
            calendar.to_hijri(issued_at.date()).marked_text_ar,
        ],
        "reference": isolate(document.reference),
        "code": isolate(format_code(document.verification_code)),
        "verify_at": isolate(public_url("documents:verify_start")),
    }


@transaction.atomic
def create_verification_partner(partner: VerificationPartner, *, by: User) -> str:
    """Save a new verification partner with a key of its own; returns the key, shown once (only its hash is kept)."""
    partner.key_prefix, partner.key_hash, key = partner_keys.new_key()
    partner.full_clean()
    partner.save()
    record(actor=by, action="verification_partner.created", target=partner, national=True)
    return key


@transaction.atomic
def revoke_verification_partner(partner: VerificationPartner, *, by: User) -> None:
    """The partner's key stops at once: its requests are refused, not counted as an anonymous visitor's."""
    if partner.revoked_at is not None:
        return
    partner.revoked_at = timezone.now()
    partner.save(update_fields=["revoked_at"])
    record(actor=by, action="verification_partner.revoked", target=partner, national=True)
