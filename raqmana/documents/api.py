"""Documents in the API: anyone verifies (by code or by file, rate-limited); the issuing unit's agents fetch and
revoke, as on the screens. Each app that issues documents adds its own endpoints for issuing them."""

from datetime import datetime

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import HttpBearer, django_auth
from ninja.throttling import AnonRateThrottle, SimpleRateThrottle

from raqmana.kernel.api_errors import REFUSALS
from raqmana.kernel.api_types import Id
from raqmana.kernel.uploads import MAX_UPLOAD_BYTES

from . import selectors, services
from .constants import PDF_NOT_STORED, UPLOAD_RATE, DocumentStatus
from .models import VerificationPartner
from .schemas import DocumentOut, document_out

router = Router(tags=["documents"])


class VerificationOut(Schema):
    """What a verification shows: the document's status and what it certifies, nothing else."""

    status: DocumentStatus
    since: datetime | None
    kind: str
    reference: str
    issued_at: datetime
    issuing_office: str
    content: dict
    seal_time_stamped_at: datetime | None
    time_stamping_authority: str


class TimeStampOut(Schema):
    time: datetime
    authority: str


class SealOut(Schema):
    signed: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer: str
    time_stamp: TimeStampOut | None


class FileCheckOut(Schema):
    authentic: bool
    matches_an_issued_document: bool
    seal: SealOut
    document: VerificationOut | None


def _verification(document):
    status, since = selectors.status_of(document)
    return {
        "status": status,
        "since": since,
        "kind": document.kind,
        "reference": document.reference,
        "issued_at": document.issued_at,
        "issuing_office": str(document.unit),
        "content": document.content,
        "seal_time_stamped_at": document.seal_timestamp,
        "time_stamping_authority": document.seal_timestamp_authority,
    }


class PartnerKey(HttpBearer):
    """A verification partner's key (`Authorization: Bearer rqv_…`): a key given must be a partner's, and standing."""

    def authenticate(self, request, token):
        partner = selectors.partner_for_key(token)
        if partner is None:
            raise HttpError(401, _("This API key is not a verification partner's key."))
        if partner.revoked_at is not None:
            raise HttpError(401, _("This API key was revoked."))
        return partner


def without_a_key(request):
    """Anyone may verify without a key, within the limit of their address."""
    return request.headers.get("Authorization") is None


class VerificationThrottle(SimpleRateThrottle):
    """A partner's own limit for its key, whatever addresses it calls from; the public limit for each address."""

    def __init__(self) -> None:
        super().__init__(settings.RAQMANA_VERIFY_RATE)

    def allow_request(self, request) -> bool:
        partner = request.auth if isinstance(request.auth, VerificationPartner) else None
        self.num_requests, self.duration = self.parse_rate(partner.rate if partner else settings.RAQMANA_VERIFY_RATE)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str:
        if isinstance(request.auth, VerificationPartner):
            return f"throttle_verification_partner_{request.auth.pk}"
        return f"throttle_verification_{self.get_ident(request)}"


@router.get(
    "/verify/{code}",
    response={200: VerificationOut, **REFUSALS},
    auth=[PartnerKey(), without_a_key],
    throttle=[VerificationThrottle()],
)
def verify(request, code: str):
    """Public: the status and content of the document with this verification code. A verification partner (a bank,
    a consulate) sends its API key as a bearer token and has its own limit instead of its address's."""
    document = selectors.document_by_code(code)
    if document is None:
        raise HttpError(404, _("No document has this verification code."))
    return _verification(document)


@router.post("/verify", response={200: FileCheckOut, **REFUSALS}, throttle=[AnonRateThrottle(UPLOAD_RATE)])
def verify_file(request, pdf: File[UploadedFile]):
    """Public: is this PDF, byte for byte, a document issued here, and does its seal validate?"""
    if pdf.size > MAX_UPLOAD_BYTES:
        raise HttpError(413, _("The file is larger than 5 MB: it is not a document issued here."))
    check = selectors.check_file(pdf.read())
    return {
        "authentic": check.authentic,
        "matches_an_issued_document": check.document is not None,
        "seal": vars(check.seal),
        "document": _verification(check.document) if check.document else None,
    }


@router.get("/{document_id}/pdf", auth=django_auth)
def pdf(request, document_id: Id):
    """The sealed PDF, for the issuing office's agents."""
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=document_id)
    try:
        return FileResponse(selectors.open_pdf(request.user, document), content_type="application/pdf")
    except FileNotFoundError:
        raise HttpError(503, str(PDF_NOT_STORED)) from None


class RevokeIn(Schema):
    reason: str


@router.post("/{document_id}/revoke", response={200: DocumentOut, **REFUSALS}, auth=django_auth)
def revoke(request, document_id: Id, payload: RevokeIn):
    document = get_object_or_404(selectors.documents_visible_to(request.user), pk=document_id)
    services.revoke_document(document, by=request.user, reason=payload.reason)
    return document_out(document)
