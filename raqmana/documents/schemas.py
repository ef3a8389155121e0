"""The API's shapes of an issued document, shared by the endpoints of every app that issues documents."""

from datetime import datetime

from ninja import Schema

from .models import IssuedDocument
from .services import verification_url


class DocumentOut(Schema):
    id: int
    kind: str
    reference: str
    verification_code: str
    verification_url: str
    sha256: str
    issued_at: datetime


def document_out(document: IssuedDocument) -> dict[str, object]:
    return {
        "id": document.pk,
        "kind": document.kind,
        "reference": document.reference,
        "verification_code": document.verification_code,
        "verification_url": verification_url(document.verification_code),
        "sha256": document.sha256,
        "issued_at": document.issued_at,
    }
