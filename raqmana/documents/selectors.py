"""Reads of issued documents: the issuing units' (scoped), and the public verification's (by code or by file)."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.db.models import Q, QuerySet

from raqmana.access.scoping import scope_condition
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.kernel.codes import is_code
from raqmana.kernel.uploads import check_upload

from . import partner_keys
from .constants import VERIFICATION_CODE_LENGTH, DocumentStatus
from .kinds import KINDS
from .models import IssuedDocument, VerificationPartner
from .signing import SealCheck, check_seal

PDF_ONLY = {"application/pdf": "pdf"}


def documents_visible_to(user: User) -> QuerySet[IssuedDocument]:
    """Issued documents carry a person's data: only those who may read them do, at the issuing unit and above, each
    kind with its own permission (`DocumentKind.read_permission`: a civil status copy is read with the register's, a
    permit's receipt with the dossiers')."""
    kinds_by_permission: dict[str, list[str]] = defaultdict(list)
    for code, kind in KINDS.items():
        kinds_by_permission[kind.read_permission].append(code)
    condition = Q(pk__in=[])
    for permission, codes in kinds_by_permission.items():
        where = scope_condition(user, IssuedDocument.scope_places, permission)
        condition |= Q(kind__in=codes) if where is None else Q(kind__in=codes) & where
    return IssuedDocument.objects.filter(condition).select_related("unit")


def open_pdf(user: User, document: IssuedDocument) -> IO[bytes]:
    """The sealed PDF of a document the user may see (documents_visible_to); the read is logged.
    FileNotFoundError when the storage failed to keep it (services.issue_document)."""
    record(actor=user, action="document.read", target=document, unit=document.unit)
    return document.pdf.open("rb")


def normalise_code(typed: str) -> str:
    return "".join(character for character in (typed or "").upper() if character.isalnum())


def document_by_code(typed: str) -> IssuedDocument | None:
    code = normalise_code(typed)
    if not is_code(code, VERIFICATION_CODE_LENGTH):
        return None
    return IssuedDocument.objects.select_related("unit").filter(verification_code=code).first()


def status_of(document: IssuedDocument) -> tuple[DocumentStatus, datetime | None]:
    """(status, since): revoked; superseded from the first change of what it certifies after the issue (its kind
    says when that is); valid."""
    if document.revoked_at:
        return DocumentStatus.REVOKED, document.revoked_at
    changed = document.document_kind.superseded_since(document)
    if changed is not None:
        return DocumentStatus.SUPERSEDED, changed
    return DocumentStatus.VALID, None


@dataclass(frozen=True)
class FileCheck:
    """An uploaded PDF against the records: the issued document with the same bytes, if any, and its seal."""

    document: IssuedDocument | None
    seal: SealCheck

    @property
    def authentic(self) -> bool:
        return self.document is not None and self.seal.valid


def check_file(data: bytes) -> FileCheck:
    """Byte-for-byte: the SHA-256 must be that of an issued document; the seal must validate on its own."""
    check_upload(data, allowed=PDF_ONLY)
    digest = hashlib.sha256(data).hexdigest()
    document = IssuedDocument.objects.select_related("unit").filter(sha256=digest).first()
    return FileCheck(document=document, seal=check_seal(data))


def partner_for_key(key: str) -> VerificationPartner | None:
    """The verification partner whose API key this is, revoked or not; None for a key nobody has."""
    prefix = partner_keys.prefix_of(key)
    partner = VerificationPartner.objects.filter(key_prefix=prefix).first() if prefix else None
    return partner if partner and partner_keys.matches(key, partner.key_hash) else None
