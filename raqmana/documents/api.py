"""Documents in the API: anyone verifies (by code or by file, rate-limited); counter agents issue, fetch and
revoke, as on the screens."""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth
from ninja.throttling import AnonRateThrottle

from raqmana.access.checking import has_permission
from raqmana.access.registry import PERMISSIONS
from raqmana.accounts.decorators import UNPROVED_CONTACT
from raqmana.kernel.api_errors import REFUSALS
from raqmana.kernel.api_types import Id
from raqmana.kernel.uploads import MAX_UPLOAD_BYTES
from raqmana.payments import services as payment_services
from raqmana.territories.models import CivilStatusOffice

from . import selectors, services
from .constants import DocumentKind, DocumentStatus, OrderState, RequesterRelation
from .views import (
    COUNTER_LIMIT_REACHED,
    ISSUING_READ_REASON,
    NO_ACT_FOR_ORDER,
    NO_ACT_WITH_THESE_FACTS,
    ORDER_READ_REASON,
    PDF_NOT_STORED,
    UPLOAD_RATE,
    VERIFY_RATE,
    counter_lookup_refused,
    order_lookup_refused,
)

router = Router(tags=["documents"])


class VerificationOut(Schema):
    """What a verification shows: the document's status and what it certifies, nothing else."""

    status: DocumentStatus
    since: datetime | None
    kind: DocumentKind
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


class IssueIn(Schema):
    office_code: str
    act: str  # the act's IDCS, or its reference office code/year/number
    # What the requester states of the holder, at least one, each matching the act: no browsing the register.
    birth_date: date | None = None
    first_name: str = ""
    kind: DocumentKind
    requester_name: str
    requester_document: str
    requester_relation: RequesterRelation
    mandate_reference: str = ""
    purpose: str
    identity_checked: bool


class DocumentOut(Schema):
    id: int
    kind: DocumentKind
    reference: str
    verification_code: str
    verification_url: str
    sha256: str
    issued_at: datetime


def _verification(document):
    status, since = selectors.status_of(document)
    return {
        "status": status,
        "since": since,
        "kind": document.kind,
        "reference": document.reference,
        "issued_at": document.issued_at,
        "issuing_office": str(document.office),
        "content": document.content,
        "seal_time_stamped_at": document.seal_timestamp,
        "time_stamping_authority": document.seal_timestamp_authority,
    }


def _document_out(document):
    return {
        "id": document.pk,
        "kind": document.kind,
        "reference": document.reference,
        "verification_code": document.verification_code,
        "verification_url": services.verification_url(document.verification_code),
        "sha256": document.sha256,
        "issued_at": document.issued_at,
    }


@router.get("/verify/{code}", response={200: VerificationOut, **REFUSALS}, throttle=[AnonRateThrottle(VERIFY_RATE)])
def verify(request, code: str):
    """Public: the status and content of the document with this verification code."""
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


@router.post("/", response={201: DocumentOut, **REFUSALS}, auth=django_auth)
def issue(request, payload: IssueIn):
    """At the counter of `office_code`: find the act by IDCS or reference, issue and seal the document."""
    if not payload.identity_checked:
        raise HttpError(422, "identity_checked: " + _("Confirm that the requester’s identity was checked."))
    office = get_object_or_404(CivilStatusOffice, code=payload.office_code)
    if not has_permission(request.user, "documents.document.issue", at=office):
        raise HttpError(403, str(PERMISSIONS["documents.document.issue"].refusal))
    asked = [office.pk, payload.act, str(payload.birth_date or ""), payload.first_name]
    if counter_lookup_refused(request, office, asked):
        raise HttpError(429, COUNTER_LIMIT_REACHED % {"rate": settings.RAQMANA_COUNTER_LOOKUP_RATE})
    act = selectors.act_for_issuance(
        request.user,
        office,
        payload.act,
        birth_date=payload.birth_date,
        first_name=payload.first_name,
        reason=ISSUING_READ_REASON,
    )
    if act is None:
        raise HttpError(404, str(NO_ACT_WITH_THESE_FACTS))
    document = services.issue_at_counter(
        act,
        payload.kind,
        office=office,
        by=request.user,
        requester={
            "name": payload.requester_name,
            "document": payload.requester_document,
            "relation": payload.requester_relation,
            "mandate": payload.mandate_reference,
        },
        purpose=payload.purpose,
    )
    return Status(201, _document_out(document))


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
    return _document_out(document)


class OrderIn(Schema):
    kind: DocumentKind
    act: str  # the act's IDCS, or its reference office code/year/number
    event_date: date  # the date of birth, or of death for a death act: it must match the act
    first_name: str  # the holder's first name, in any script: it must match the act
    requester_relation: RequesterRelation
    mandate_reference: str = ""
    purpose: str


class OrderOut(Schema):
    id: int
    kind: DocumentKind
    act_reference: str
    state: OrderState
    amount: str
    payment_url: str | None
    document_verification_code: str | None
    refusal_reason: str
    created_at: datetime


def _order_out(request, order):
    awaiting = order.state == OrderState.AWAITING_PAYMENT
    return {
        "id": order.pk,
        "kind": order.kind,
        "act_reference": order.act.reference,
        "state": order.state,
        "amount": str(order.payment.amount),
        "payment_url": request.build_absolute_uri(payment_services.checkout_url(order.payment)) if awaiting else None,
        "document_verification_code": order.document.verification_code if order.document else None,
        "refusal_reason": order.refusal_reason,
        "created_at": order.created_at,
    }


@router.post("/orders", response={201: OrderOut, **REFUSALS}, auth=django_auth)
def place_order(request, payload: Form[OrderIn], proof: File[UploadedFile] = None):
    """A citizen orders a document; full copies and family booklet records carry `proof` (PDF, JPEG or PNG).
    The answer gives the address where to pay. Lookups are counted with the order page's."""
    if not request.user.has_verified_contact:
        raise PermissionDenied(UNPROVED_CONTACT)
    if order_lookup_refused(request, [payload.act, str(payload.event_date), payload.first_name]):
        raise HttpError(429, _("Too many lookups from this account: try again later."))
    act = selectors.act_for_order(
        request.user, payload.act, payload.event_date, payload.first_name, reason=ORDER_READ_REASON
    )
    if act is None:
        raise HttpError(404, str(NO_ACT_FOR_ORDER))
    order = services.place_order(
        request.user,
        act,
        payload.kind,
        relation=payload.requester_relation,
        mandate_reference=payload.mandate_reference,
        purpose=payload.purpose,
        proof=proof,
    )
    return Status(201, _order_out(request, order))


@router.get("/orders", response={200: list[OrderOut], **REFUSALS}, auth=django_auth)
def orders(request):
    """The signed-in citizen's orders, newest first."""
    return [_order_out(request, order) for order in selectors.orders_of(request.user)]


@router.get("/orders/{order_id}", response={200: OrderOut, **REFUSALS}, auth=django_auth)
def order(request, order_id: Id):
    return _order_out(request, get_object_or_404(selectors.orders_of(request.user), pk=order_id))
