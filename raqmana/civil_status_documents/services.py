"""Civil status documents issued by the documents engine: at the counter of any office from any act, and ordered
online by citizens (placed, paid, checked by the office that keeps the act, issued or refused). Each step is
audited; the citizen is told of each."""

from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.civil_status.models import Act
from raqmana.documents import services as documents
from raqmana.documents.kinds import Requester
from raqmana.documents.models import IssuedDocument
from raqmana.kernel.errors import log_unexpected
from raqmana.kernel.scanning import ScanState
from raqmana.notifications.services import notify
from raqmana.payments import services as payment_services
from raqmana.payments.constants import PaymentState
from raqmana.payments.models import Payment
from raqmana.payments.selectors import collectivity_of
from raqmana.territories.models import AdministrativeUnit

from . import rules, selectors
from .constants import ACT_KIND_OF, CivilStatusDocument, OrderState, RequesterRelation
from .models import DocumentOrder
from .proofs import receive_proof, scan_later
from .workflows import ORDER_WORKFLOW, lock_order


def issue_at_counter(
    act: Act, kind: str, *, office: AdministrativeUnit, by: User, requester: Requester, purpose: str
) -> IssuedDocument:
    """An agent of any civil status office issues a document from any act of the national register (Law 36-21:
    a copy may be asked from any office). `requester` holds name, identity document, relation, mandate."""
    return documents.issue_at_counter(act, kind, unit=office, by=by, requester=requester, purpose=purpose)


def report_lookup_limit(agent: User, office: AdministrativeUnit, rate: str) -> None:
    """An agent's act lookups at the counter went past the limit (`rate`, per agent): the officers of the office
    and the provincial inspectors above it are told, and the audit trail keeps it. Called once per period."""
    record(actor=agent, action="act.lookup_limit_reached", target=office, unit=office, reason=rate)
    for person in selectors.lookup_supervisors(office):
        context = {"agent": agent, "office": office, "rate": rate}
        notify(person, "civil_status_documents.lookup_limit_reached", context, unit=office)


def report_order_lookup_limit(citizen: User, rate: str) -> None:
    """A citizen's account looked up more acts to order from than the limit allows (`rate`): the audit trail
    keeps it, once per period, beside the lookups that missed (selectors.act_for_order)."""
    record(actor=citizen, action="document_order.lookup_limit_reached", target=citizen, reason=rate)


def place_order(
    citizen: User,
    act: Act,
    kind: str,
    *,
    relation: str,
    mandate_reference: str,
    purpose: str,
    proof: IO[bytes] | None = None,
) -> DocumentOrder:
    """A citizen orders a document from an act found by its IDCS or reference and its date (selectors.
    act_for_order). Full copies carry the proof an agent will check: stored rewritten and scanned, or pending
    its scan when the scanner is away (proofs.receive_proof), before anything is recorded. Returns the order,
    awaiting payment."""
    kind = CivilStatusDocument(kind)
    if ACT_KIND_OF[kind] != act.kind:
        raise ValidationError({"kind": _("This document is not drawn from this kind of act.")})
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say what the document is for.")})
    rules.check_copy_requester(kind, relation, mandate_reference)
    received = None
    if not rules.issued_without_check(kind):
        if proof is None:
            raise ValidationError({"proof": _("Attach your identity document and the proof of your relation.")})
        # Outside the transaction: the scanner may take seconds. An infected proof is audited at the keeping office.
        received = receive_proof(proof, citizen, act.office)
    with transaction.atomic():
        order = DocumentOrder(
            citizen=citizen,
            act=act,
            kind=kind,
            requester_relation=relation,
            # The form hides the mandate once another relation is chosen, but what was typed in it is still sent.
            mandate_reference=mandate_reference.strip() if relation == RequesterRelation.MANDATARY else "",
            purpose=purpose.strip(),
        )
        order.check_texts()
        order.save()
        ORDER_WORKFLOW.open(order, by=citizen)  # its payment's clock starts
        order.payment = payment_services.create_payment(
            citizen,
            kind.value,
            # Owed to the collectivity of the office that keeps the act: the one that checks and issues the order.
            collectivity=collectivity_of(act.office.territory),
            description=f"{kind.label} — {act.reference}",
            for_object=order,
            return_url=reverse("documents:order", args=[order.pk]),
        )
        if received:  # last, so that a refusal above leaves no file behind
            name = f"order-{order.pk}.{received.file.extension}"
            order.proof.save(name, ContentFile(received.file.content), save=False)
            order.proof_scan = received.scan
        order.save(update_fields=["proof", "proof_scan", "payment"])
        record(actor=citizen, action="document_order.placed", target=order, unit=act.office, reason=order.purpose)
        if order.proof_scan == ScanState.PENDING:
            scan_later(order)
    return order


def order_paid(payment: Payment) -> None:
    """The payment of an order arrived (inside the payment's transaction, its row locked): an extract is issued at
    once, a full copy waits for the office's check. A payment for an order cancelled or expired meanwhile is given
    back."""
    order = lock_order(payment.for_id)
    if order.state == OrderState.CANCELLED:
        payment_services.refund(payment, by=None, reason=_("The order was cancelled before the payment arrived."))
        return
    if order.state == OrderState.EXPIRED:
        payment_services.refund(payment, by=None, reason=_("The order expired before the payment arrived."))
        return
    if order.state != OrderState.AWAITING_PAYMENT:
        return
    if rules.issued_without_check(order.kind):
        try:
            with transaction.atomic():
                _issue_order(order, by=None)
            return
        except Exception as error:  # the payment must stay recorded whatever stops the issue (typst, a token)
            # The reason is shown to people: the error's own text (SQL, a path) goes to the log, under a reference.
            reference = log_unexpected(error, during=f"the automatic issue of document order {order.pk}")
            order.refresh_from_db()
            reason = _("The automatic issue failed; an agent issues the document (reference %(reference)s).") % {
                "reference": reference
            }
    else:
        reason = ""
    ORDER_WORKFLOW.move(order, OrderState.AWAITING_CHECK, by=None, reason=reason)
    order.save(update_fields=["state"])
    _tell_citizen(order)


@transaction.atomic
def approve_order(order: DocumentOrder, *, by: User) -> DocumentOrder:
    """An agent of the office keeping the act has checked the proof: the document is issued and sealed."""
    order = lock_order(order.pk)
    if order.state != OrderState.AWAITING_CHECK:
        raise ValidationError(_("This order is not waiting for a check."))
    ORDER_WORKFLOW.check(order, OrderState.ISSUED, by=by)
    if order.proof_scan and not order.proof_may_be_opened:
        raise ValidationError(_("The proof has not been found clean by the virus scanner: it cannot ground an issue."))
    return _issue_order(order, by=by)


@transaction.atomic
def refuse_order(order: DocumentOrder, *, by: User, reason: str) -> DocumentOrder:
    """The proof does not show a right to the document: the order is refused, with its reason, and refunded."""
    order = lock_order(order.pk)
    ORDER_WORKFLOW.check(order, OrderState.REFUSED, by=by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is refused.")})
    reason = DocumentOrder.checked_text("refusal_reason", reason.strip(), error_key="reason")
    ORDER_WORKFLOW.move(order, OrderState.REFUSED, by=by, reason=reason)
    order.refusal_reason = reason
    order.save(update_fields=["state", "refusal_reason"])
    assert order.payment is not None  # an order awaiting its check was paid
    payment_services.refund(order.payment, by=by, reason=reason, at=order.act.office)
    record(actor=by, action="document_order.refused", target=order, unit=order.act.office, reason=reason)
    _tell_citizen(order)
    return order


@transaction.atomic
def cancel_order(order: DocumentOrder, *, by: User) -> DocumentOrder:
    """The citizen withdraws an order not yet paid."""
    if order.citizen_id != by.pk:
        raise PermissionDenied
    # The payment's row first, as `settle` locks it before the order's: the two never wait for each other.
    assert order.payment is not None  # every order is created with its payment
    payment = payment_services.lock(order.payment)
    order = lock_order(order.pk)
    if payment.state == PaymentState.PAID:
        raise ValidationError(_("This order is already paid."))
    ORDER_WORKFLOW.move(order, OrderState.CANCELLED, by=by)
    order.save(update_fields=["state"])
    payment_services.cancel(payment, by=by)
    return order


def _issue_order(order: DocumentOrder, *, by: User | None) -> DocumentOrder:
    citizen = order.citizen
    order.document = documents.issue_document(
        order.act,
        order.kind,
        unit=order.act.office,
        issued_by=by,
        requester={
            "name": citizen.full_name,
            "relation": order.requester_relation,
            "mandate": order.mandate_reference,
        },
        purpose=order.purpose,
        account=citizen,
    )
    ORDER_WORKFLOW.move(order, OrderState.ISSUED, by=by)
    order.save(update_fields=["document", "state"])
    _tell_citizen(order)
    return order


ORDER_MESSAGE_KINDS = {
    OrderState.AWAITING_CHECK: "civil_status_documents.order_awaiting_check",
    OrderState.ISSUED: "civil_status_documents.order_issued",
    OrderState.REFUSED: "civil_status_documents.order_refused",
}


def _tell_citizen(order: DocumentOrder) -> None:
    context = {"order": order, "url": documents.public_url("documents:order", order.pk)}
    notify(order.citizen, ORDER_MESSAGE_KINDS[OrderState(order.state)], context, unit=order.act.office)
