"""Issuing documents drawn from the register: check who may have it, render, seal with the office's key, store
the PDF and record what was issued. Revoking one. Each step is audited."""

import hashlib
import re
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from raqmana.access.checking import require
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.civil_status.constants import ActState
from raqmana.kernel.codes import random_code
from raqmana.kernel.scanning import ScanState
from raqmana.kernel.sequences import next_number
from raqmana.notifications.services import notify
from raqmana.payments import services as payment_services
from raqmana.payments.constants import PaymentState
from raqmana.payments.selectors import collectivity_of
from raqmana.territories.constants import Level
from raqmana.territories.models import AdministrativeUnit, Territory

from . import rules, selectors
from .constants import (
    ACT_KIND_OF,
    DOCUMENT_REGISTER,
    RESTRICTED_KINDS,
    TITLES,
    VERIFICATION_CODE_LENGTH,
    DocumentKind,
    OrderState,
    RequesterRelation,
)
from .content import TERRITORY_TITLES, capacity_at, certified_content
from .models import DocumentOrder, IssuedDocument
from .proofs import receive_proof, scan_later
from .rendering import isolate, render_pdf
from .signing import seal_pdf
from .workflows import ORDER_WORKFLOW, lock_order


def new_verification_code() -> str:
    return random_code(VERIFICATION_CODE_LENGTH)


def format_code(code):
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def public_url(view_name, *args):
    """The address of a page as people outside reach it (in a QR code, a message)."""
    return settings.RAQMANA_PUBLIC_URL + reverse(view_name, args=args)


def verification_url(code):
    return public_url("documents:verify", code)


def issue_at_counter(act, kind, *, office, by, requester, purpose):
    """An agent of any civil status office issues a document from any act of the national register (Law 36-21:
    a copy may be asked from any office). `requester` holds name, identity document, relation, mandate."""
    require(by, "documents.document.issue", at=office)
    return issue_document(act, kind, office=office, issued_by=by, requester=requester, purpose=purpose)


@transaction.atomic
def issue_document(act, kind, *, office, issued_by, requester, purpose, account=None):
    """Render, seal, store and record one document. `account` is the citizen's account for an online order.

    A sealed PDF exists in storage only for a committed record, and a committed record always has its PDF:
    every input is checked (lengths, choices, texts, the requester's identity document) before a number is
    taken or a page drawn, and the sealed bytes reach storage only once the transaction that records the
    document has committed (`transaction.on_commit`, under the name the record already holds). A rollback
    anywhere, here or in a caller's transaction, leaves neither a number used nor a file. Only a storage that
    fails right after the commit would leave a record without its file (the error is logged): its download
    then says so, and an officer revokes the document and issues it again."""
    kind = DocumentKind(kind)
    if act.state != ActState.SIGNED:
        raise ValidationError(_("Documents are drawn only from signed acts."))
    if ACT_KIND_OF[kind] != act.kind:
        raise ValidationError({"kind": _("This document is not drawn from this kind of act.")})
    errors = {}
    for field in ("name", "relation"):
        if not str(requester.get(field, "")).strip():
            errors[f"requester_{field}"] = _("This field is required.")
    if not purpose.strip():
        errors["purpose"] = _("Say what the document is for.")
    if errors:
        raise ValidationError(errors)
    rules.check_copy_requester(kind, requester["relation"], requester.get("mandate", ""))

    now = timezone.now()
    document = IssuedDocument(
        kind=kind,
        act=act,
        office=office,
        year=timezone.localdate(now).year,
        verification_code=new_verification_code(),
        issued_at=now,
        issued_by=issued_by,
        requester=account,
        requester_name=requester["name"].strip(),
        requester_document=str(requester.get("document") or "").strip(),
        requester_relation=requester["relation"],
        mandate_reference=requester.get("mandate", "").strip(),
        purpose=purpose.strip(),
    )
    # Before the number and the page: lengths, choices and texts (a bidi control would reorder the sealed page).
    # The related rows are the caller's own objects: checking that they exist would cost a query each.
    document.clean_fields(exclude=["number", "content", "sha256", "pdf", "act", "office", "issued_by", "requester"])
    restricted_copy_elsewhere = office != act.office and kind in RESTRICTED_KINDS
    document.requester_document = _checked_identity_document(
        document.requester_document, required=restricted_copy_elsewhere
    )
    document.number = next_number(DOCUMENT_REGISTER, office, document.year)
    pdf = draw(document)
    seal = seal_pdf(pdf, office, reason=f"{TITLES[kind][1]} {document.reference}")
    sealed = seal.pdf
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
        unit=office,
        details={"kind": kind.value, "act": act.reference, "relation": document.requester_relation},
    )
    if restricted_copy_elsewhere:
        # The office keeping the act sees who received a restricted copy elsewhere, and on what identity.
        record(
            actor=issued_by,
            action="act.copy_issued_elsewhere",
            target=act,
            reason=format_lazy(
                "{} — {}: {}",
                RequesterRelation(document.requester_relation).label,
                gettext_lazy("Requester's identity document number"),
                document.requester_document,
            ),
            unit=act.office,
            actor_place=office,
            details={
                "document": document.reference,
                "kind": kind.value,
                "requester_document": document.requester_document,
            },
        )
    return document


def _store_pdf(storage, name, sealed):
    """Runs once the document's record is committed: its sealed PDF goes to storage under the recorded name."""
    storage.save(name, ContentFile(sealed))


# An identity card (CIN: one or two letters and digits), a passport or a residence card: letters and digits,
# with at least one digit, as printed (spaces and hyphens dropped).
IDENTITY_DOCUMENT_NUMBER = re.compile(r"(?=.*[0-9])[A-Z0-9]{3,20}")


def _checked_identity_document(typed, *, required):
    """The requester's identity document number, normalised; refused when it does not look like one, or when
    missing where it is `required` (a restricted copy issued by another office than the keeping one)."""
    number = re.sub(r"[\s-]", "", typed).upper()
    if not number and required:
        message = _(
            "Record the requester's identity document number: another office than the one keeping the act issues a "
            "full copy or a family booklet record only on it."
        )
        raise ValidationError({"requester_document": ValidationError(message, code="identity_document_required")})
    if number and not IDENTITY_DOCUMENT_NUMBER.fullmatch(number):
        message = _(
            "Enter the number as printed on the identity card, passport or residence card: letters and digits, "
            "such as AB123456."
        )
        raise ValidationError({"requester_document": ValidationError(message, code="identity_document_number")})
    return number


def report_lookup_limit(agent: User, office: AdministrativeUnit, rate: str) -> None:
    """An agent's act lookups at the counter went past the limit (`rate`, per agent): the officers of the office
    and the provincial inspectors above it are told, and the audit trail keeps it. Called once per period."""
    record(actor=agent, action="act.lookup_limit_reached", target=office, unit=office, reason=rate)
    for person in selectors.lookup_supervisors(office):
        notify(person, "documents.lookup_limit_reached", {"agent": agent, "office": office, "rate": rate})


def report_order_lookup_limit(citizen, rate):
    """A citizen's account looked up more acts to order from than the limit allows (`rate`): the audit trail
    keeps it, once per period, beside the lookups that missed (selectors.act_for_order)."""
    record(actor=citizen, action="document_order.lookup_limit_reached", target=citizen, reason=rate)


@transaction.atomic
def revoke_document(document, *, by, reason):
    """An officer of the issuing office withdraws a document issued in error; it stays recorded."""
    require(by, "documents.document.revoke", at=document.office)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the document is revoked.")})
    if document.revoked_at:
        raise ValidationError(_("This document is already revoked."))
    reason = IssuedDocument.checked_text("revocation_reason", reason.strip(), error_key="reason")
    document.revoked_at, document.revoked_by, document.revocation_reason = timezone.now(), by, reason
    document.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    record(actor=by, action="document.revoked", target=document, reason=reason, unit=document.office)
    return document


def draw(document):
    """Set the document's certified content, as of its issue, and return its page as a PDF, not yet sealed."""
    calendar = MoroccanHijriCalendar()
    document.content = certified_content(document.kind, document.act, document.issued_at, calendar)
    url = verification_url(document.verification_code)
    return render_pdf(printed_page(document, calendar), verify_url=url, created_at=document.issued_at)


def printed_page(document, calendar):
    """Everything the PDF prints: the certified content and the lines about its own issue."""
    return {**document.content, **_issuance_lines(document, calendar)}


def _issuance_lines(document, calendar):
    """What the page says of its own issue: the authority, where, when and by whom it was issued (the agent who
    issues it, in their capacity at the office; none for an extract issued on payment), its number and how to
    verify it (the verification page's address and the code; the QR code holds the document's own address).
    Printed in Arabic and French whatever the screen's language."""
    office = document.office
    places = []
    # An arrondissement lies three levels under its region: one query brings the whole chain.
    territory = Territory.objects.select_related("parent__parent__parent").get(pk=office.territory_id)
    while territory is not None:
        places.append(territory)
        territory = territory.parent
    places.reverse()
    # Where it is issued: the commune (an arrondissement's office issues in its city).
    town = next((place for place in reversed(places) if place.level == Level.COMMUNE), places[-1])
    signatory, agent = None, document.issued_by
    if agent:
        signatory = {"name": isolate(agent.full_name), "capacity": capacity_at(agent, office)}
    issued_at = timezone.localtime(document.issued_at)
    return {
        "authority_ar": [
            "المملكة المغربية",
            "وزارة الداخلية",
            *[f"{TERRITORY_TITLES[place.level][0]} {place.name_ar}" for place in places],
        ],
        "authority_fr": [
            "Royaume du Maroc",
            "Ministère de l'Intérieur",
            *[f"{TERRITORY_TITLES[place.level][1]} {place.name_fr}" for place in places],
        ],
        "issuer": [office.name_ar, office.name_fr],
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


def place_order(citizen, act, kind, *, relation, mandate_reference, purpose, proof=None):
    """A citizen orders a document from an act found by its IDCS or reference and its date (selectors.
    act_for_order). Full copies carry the proof an agent will check: stored rewritten and scanned, or pending
    its scan when the scanner is away (proofs.receive_proof), before anything is recorded. Returns the order,
    awaiting payment."""
    kind = DocumentKind(kind)
    if ACT_KIND_OF[kind] != act.kind:
        raise ValidationError({"kind": _("This document is not drawn from this kind of act.")})
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say what the document is for.")})
    rules.check_copy_requester(kind, relation, mandate_reference)
    received = None
    if not rules.issued_without_check(kind):
        if proof is None:
            raise ValidationError({"proof": _("Attach your identity document and the proof of your relation.")})
        received = receive_proof(proof, citizen)  # outside the transaction: the scanner may take seconds
    with transaction.atomic():
        order = DocumentOrder(
            citizen=citizen,
            act=act,
            kind=kind,
            requester_relation=relation,
            mandate_reference=mandate_reference.strip(),
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


def order_paid(payment):
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
            order.refresh_from_db()
            failed = _("The automatic issue failed; an agent issues the document.")
            reason = f"{failed} ({error})"[:300]
    else:
        reason = ""
    ORDER_WORKFLOW.move(order, OrderState.AWAITING_CHECK, by=None, reason=reason)
    order.save(update_fields=["state"])
    _tell_citizen(order)


@transaction.atomic
def approve_order(order, *, by):
    """An agent of the office keeping the act has checked the proof: the document is issued and sealed."""
    order = lock_order(order.pk)
    if order.state != OrderState.AWAITING_CHECK:
        raise ValidationError(_("This order is not waiting for a check."))
    ORDER_WORKFLOW.check(order, OrderState.ISSUED, by=by)
    if order.proof_scan and not order.proof_may_be_opened:
        raise ValidationError(_("The proof has not been found clean by the virus scanner: it cannot ground an issue."))
    return _issue_order(order, by=by)


@transaction.atomic
def refuse_order(order, *, by, reason):
    """The proof does not show a right to the document: the order is refused, with its reason, and refunded."""
    order = lock_order(order.pk)
    ORDER_WORKFLOW.check(order, OrderState.REFUSED, by=by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is refused.")})
    reason = DocumentOrder.checked_text("refusal_reason", reason.strip(), error_key="reason")
    ORDER_WORKFLOW.move(order, OrderState.REFUSED, by=by, reason=reason)
    order.refusal_reason = reason
    order.save(update_fields=["state", "refusal_reason"])
    payment_services.refund(order.payment, by=by, reason=reason)
    record(actor=by, action="document_order.refused", target=order, unit=order.act.office, reason=reason)
    _tell_citizen(order)
    return order


@transaction.atomic
def cancel_order(order, *, by):
    """The citizen withdraws an order not yet paid."""
    if order.citizen_id != by.pk:
        raise PermissionDenied
    # The payment's row first, as `settle` locks it before the order's: the two never wait for each other.
    payment = payment_services.lock(order.payment)
    order = lock_order(order.pk)
    if payment.state == PaymentState.PAID:
        raise ValidationError(_("This order is already paid."))
    ORDER_WORKFLOW.move(order, OrderState.CANCELLED, by=by)
    order.save(update_fields=["state"])
    payment_services.cancel(payment, by=by)
    return order


def _issue_order(order, *, by):
    citizen = order.citizen
    order.document = issue_document(
        order.act,
        order.kind,
        office=order.act.office,
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
    OrderState.AWAITING_CHECK: "documents.order_awaiting_check",
    OrderState.ISSUED: "documents.order_issued",
    OrderState.REFUSED: "documents.order_refused",
}


def _tell_citizen(order: DocumentOrder) -> None:
    context = {"order": order, "url": public_url("documents:order", order.pk)}
    notify(order.citizen, ORDER_MESSAGE_KINDS[order.state], context)
