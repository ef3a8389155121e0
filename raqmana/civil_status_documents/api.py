"""Civil status documents in the API: counter agents issue from any act, citizens order and follow their orders,
as on the screens. Mounted beside the documents engine's endpoints, under /api/documents/."""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from raqmana.access.checking import has_permission
from raqmana.access.registry import PERMISSIONS
from raqmana.accounts.decorators import UNPROVED_CONTACT
from raqmana.documents.schemas import DocumentOut, document_out
from raqmana.kernel.api_errors import REFUSALS
from raqmana.kernel.api_types import Id
from raqmana.payments import services as payment_services
from raqmana.territories.models import CivilStatusOffice

from . import selectors, services
from .constants import CivilStatusDocument, OrderState, RequesterRelation
from .lookups import (
    COUNTER_LIMIT_REACHED,
    ISSUING_READ_REASON,
    NO_ACT_FOR_ORDER,
    NO_ACT_WITH_THESE_FACTS,
    ORDER_READ_REASON,
    counter_lookup_refused,
    order_lookup_refused,
)

router = Router(tags=["documents"])
# The operations keep the identifiers they had when the documents app served them.
OPERATION = "raqmana_documents_api_{}"


class IssueIn(Schema):
    office_code: str
    act: str  # the act's IDCS, or its reference office code/year/number
    # What the requester states of the holder, at least one, each matching the act: no browsing the register.
    birth_date: date | None = None
    first_name: str = ""
    kind: CivilStatusDocument
    requester_name: str
    requester_document: str
    requester_relation: RequesterRelation
    mandate_reference: str = ""
    purpose: str
    identity_checked: bool


@router.post("/", response={201: DocumentOut, **REFUSALS}, auth=django_auth, operation_id=OPERATION.format("issue"))
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
    return Status(201, document_out(document))


class OrderIn(Schema):
    kind: CivilStatusDocument
    act: str  # the act's IDCS, or its reference office code/year/number
    event_date: date  # the date of birth, or of death for a death act: it must match the act
    first_name: str  # the holder's first name, in any script: it must match the act
    requester_relation: RequesterRelation
    mandate_reference: str = ""
    purpose: str


class OrderOut(Schema):
    id: int
    kind: CivilStatusDocument
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


@router.post(
    "/orders",
    response={201: OrderOut, **REFUSALS},
    auth=django_auth,
    operation_id=OPERATION.format("place_order"),
)
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


@router.get(
    "/orders",
    response={200: list[OrderOut], **REFUSALS},
    auth=django_auth,
    operation_id=OPERATION.format("orders"),
)
def orders(request):
    """The signed-in citizen's orders, newest first."""
    return [_order_out(request, order) for order in selectors.orders_of(request.user)]


@router.get(
    "/orders/{order_id}",
    response={200: OrderOut, **REFUSALS},
    auth=django_auth,
    operation_id=OPERATION.format("order"),
)
def order(request, order_id: Id):
    return _order_out(request, get_object_or_404(selectors.orders_of(request.user), pk=order_id))
