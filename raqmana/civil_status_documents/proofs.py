"""The proofs of identity and relation that citizens attach to orders: rewritten from what they show and scanned
when they arrive; scanned later when the scanner was away; deleted when infected, and once no longer needed. An
order not yet paid whose proof is deleted is cancelled with its payment: paid later, it would wait for a check that
has nothing to check, and the money that comes anyway is given back (services.order_paid)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from raqmana.audit.services import record
from raqmana.kernel.scanning import SCAN_RETRY_MINUTES, ScannerUnavailable, ScanState, scan
from raqmana.kernel.tasks import enqueue_now, enqueue_on_commit
from raqmana.kernel.uploads import CleanFile, clean_stored_upload
from raqmana.notifications.services import notify
from raqmana.payments import services as payment_services
from raqmana.payments.constants import PaymentState

from .constants import OrderState
from .models import DocumentOrder
from .tasks import scan_proof
from .workflows import ORDER_WORKFLOW, lock_with_payment

# Orders whose proof no longer serves: never paid, refused, cancelled, expired. An issued document's proof is kept:
# it is what the agent relied on to issue a restricted copy.
ENDED_WITHOUT_DOCUMENT = (OrderState.AWAITING_PAYMENT, OrderState.REFUSED, OrderState.CANCELLED, OrderState.EXPIRED)
RETENTION_OVER = gettext_lazy("Kept no longer than its purpose needs (Law 09-08): the retention period is over.")
VIRUS_FOUND = gettext_lazy("The virus scanner found a threat in the proof: the file was deleted.")


@dataclass(frozen=True)
class ReceivedProof:
    file: CleanFile
    scan: ScanState


def receive_proof(upload, citizen, office):
    """A proof as it will be stored, rewritten and scanned (pending when the scanner does not answer); a
    ValidationError on "proof" otherwise. An infected upload is refused, kept nowhere, and audited at `office`, the
    office that would have checked it."""
    try:
        clean = clean_stored_upload(upload)
    except ValidationError as error:
        raise ValidationError({"proof": error.messages}) from error
    try:
        result = scan(clean.content)
    except ScannerUnavailable:
        return ReceivedProof(clean, ScanState.PENDING)
    if result.state == ScanState.INFECTED:
        record(
            actor=citizen,
            action="document_order.proof_refused_infected",
            target=citizen,
            unit=office,
            details={"signature": result.signature, "file": upload.name},
        )
        raise ValidationError({"proof": _("The virus scanner found a threat in this file: it was not kept.")})
    return ReceivedProof(clean, ScanState.CLEAN)


def scan_later(order):
    """Queue the scan of a proof left pending, once the order is committed (a queue that refuses it leaves the proof
    pending for the periodic sweep, scan_pending_proofs)."""
    enqueue_on_commit(scan_proof, order.pk, 0)


def scan_pending_proof(order_id, attempt=0):
    """Scan a proof left pending: clean, or infected and deleted (the citizen is told). When the scanner is still
    away, try again later where the task backend can wait. Returns the proof's scan state."""
    order = DocumentOrder.objects.get(pk=order_id)
    if order.proof_scan != ScanState.PENDING or not order.proof:
        return order.proof_scan
    with order.proof.open("rb") as stored:
        content = stored.read()
    try:
        result = scan(content)
    except ScannerUnavailable:
        if attempt < len(SCAN_RETRY_MINUTES) and scan_proof.get_backend().supports_defer:
            enqueue_now(scan_proof, order_id, attempt + 1, delay=timedelta(minutes=SCAN_RETRY_MINUTES[attempt]))
        return ScanState.PENDING
    with transaction.atomic():
        order, payment = _locked_with_payment(order_id)
        if order.proof_scan != ScanState.PENDING:
            return order.proof_scan
        if result.state == ScanState.CLEAN:
            order.proof_scan = ScanState.CLEAN
            order.save(update_fields=["proof_scan"])
        else:
            order.proof_scan = ScanState.INFECTED
            if order.state == OrderState.AWAITING_PAYMENT:
                _cancel_unpaid_order(order, payment, reason=VIRUS_FOUND)
            found = {"signature": result.signature}
            _delete_proof(order, action="document_order.proof_infected", reason=VIRUS_FOUND, details=found)
            _tell_citizen_of_infected_proof(order)
    return order.proof_scan


def scan_pending_proofs():
    """The periodic sweep: every proof still pending is scanned; returns how many remain pending."""
    pending = DocumentOrder.objects.filter(proof_scan=ScanState.PENDING).exclude(proof="")
    return sum(
        scan_pending_proof(order_id, attempt=len(SCAN_RETRY_MINUTES)) == ScanState.PENDING
        for order_id in pending.values_list("pk", flat=True)
    )


def expired_proofs():
    """Orders ended without a document whose last change is older than RAQMANA_PROOF_RETENTION_DAYS, and that
    still hold their proof; not those whose payment, of another sum than owed, is under review (the money is held:
    the proof stays until the review ends)."""
    cutoff = timezone.now() - timedelta(days=settings.RAQMANA_PROOF_RETENTION_DAYS)
    return (
        DocumentOrder.objects.filter(state__in=ENDED_WITHOUT_DOCUMENT)
        .exclude(proof="")
        .exclude(payment__state=PaymentState.MISMATCHED)
        .annotate(last_change=Max("transitions__at"))
        .filter(last_change__lt=cutoff)
    )


def delete_expired_proofs():
    """Law 09-08, art. 3(1)(e): personal data are kept no longer than the purpose they were collected for needs.
    A proof serves the check of its order: once the order ended without a document (never paid, refused,
    cancelled) and RAQMANA_PROOF_RETENTION_DAYS have passed since its last change, the file is deleted, the
    order keeps the date, and each deletion is audited. An order never paid is cancelled with its payment, and
    the citizen told. Returns how many were deleted."""
    days = settings.RAQMANA_PROOF_RETENTION_DAYS
    deleted = 0
    for order_id in expired_proofs().values_list("pk", flat=True):
        with transaction.atomic():
            order, payment = _locked_with_payment(order_id)
            if not order.proof or order.state not in ENDED_WITHOUT_DOCUMENT or _under_review(payment):
                continue
            if order.state == OrderState.AWAITING_PAYMENT:
                reason = ngettext(
                    "Proof deleted after %(days)s day (Law 09-08).",
                    "Proof deleted after %(days)s days (Law 09-08).",
                    days,
                ) % {"days": days}
                _cancel_unpaid_order(order, payment, reason=reason)
                _tell_citizen_of_expired_order(order, days)
            _delete_proof(
                order, action="document_order.proof_deleted", reason=RETENTION_OVER, details={"retention_days": days}
            )
            deleted += 1
    return deleted


def _under_review(payment):
    return payment is not None and payment.state == PaymentState.MISMATCHED


def _locked_with_payment(order_id):
    """The order and its payment, both locked, the payment's row first (workflows.lock_with_payment)."""
    order = lock_with_payment(order_id)
    return order, order.payment


def _cancel_unpaid_order(order, payment, *, reason):
    """An order not yet paid loses its proof: it is cancelled, and its payment with it when still open, so that
    none is taken for it; money taken anyway is given back when its answer comes (services.order_paid)."""
    ORDER_WORKFLOW.move(order, OrderState.CANCELLED, by=None, reason=reason)
    order.save(update_fields=["state"])
    if payment is not None:
        payment_services.cancel(payment, by=None, reason=reason)


def _delete_proof(order, *, action, reason, details):
    """The file goes first: a failure after it leaves a record pointing at nothing, never a file kept unseen."""
    name = order.proof.name
    order.proof.delete(save=False)
    order.proof_deleted_on = timezone.localdate()
    order.save(update_fields=["proof", "proof_deleted_on", "proof_scan"])
    details = {**details, "file": name}
    record(actor=None, action=action, target=order, unit=order.act.office, reason=reason, details=details)


def _tell_citizen_of_infected_proof(order: DocumentOrder) -> None:
    notify(order.citizen, "civil_status_documents.proof_infected", {"order": order}, unit=order.act.office)


def _tell_citizen_of_expired_order(order: DocumentOrder, days: int) -> None:
    notify(order.citizen, "civil_status_documents.order_expired", {"order": order, "days": days}, unit=order.act.office)
