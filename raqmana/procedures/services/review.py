"""A filed dossier at its office: taken up and assigned, corrections asked of the applicant (the clock paused until
they answer), messages and private notes, the decision (an approval, or a refusal with its reasons), its document
signed and sealed, a refusal sent back for a new examination, a withdrawal, and the approval by silence when the delay
runs out (decree 2-22-141). Every step is recorded with who, when and why, and the applicant told in their language."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from raqmana.access.checking import has_permission, require
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.documents import services as documents
from raqmana.kernel.tasks import enqueue_on_commit
from raqmana.kernel.text import TextKind, check_text
from raqmana.payments import services as payments
from raqmana.payments.models import Payment
from raqmana.payments.selectors import collectivity_of

from ..constants import CorrectionReason, DossierState
from ..models import Dossier, DossierMessage
from ..tasks import issue_attestation
from ..workflows import DOSSIER_WORKFLOW, lock_dossier
from .commission import close_awaited_opinions, opinions_awaited, refer_to_commission, restart_examination
from .fees import construction_tax_due
from .filing import applicant_name, checked_answers, tell

S = DossierState
DECISION_PURPOSE = gettext_lazy("Decision on a dossier (Law 55-19)")
SILENCE_PURPOSE = gettext_lazy("Approval by silence (decree 2-22-141)")
WITHDRAWN_REASON = gettext_lazy("The applicant withdrew the dossier.")


def _text(value: str, field: str, *, required: bool, limit: int = 5000) -> str:
    try:
        text = check_text((value or "").strip(), TextKind.MULTILINE_TEXT, max_length=limit)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    return text


def _message(
    dossier: Dossier, author: User, body: str, *, from_office: bool, private: bool = False, correction: str = ""
) -> DossierMessage:
    return DossierMessage.objects.create(
        dossier=dossier, author=author, from_office=from_office, private=private, correction=correction, body=body
    )


def take_up(dossier: Dossier, *, by: User) -> Dossier:
    """An agent of the office takes a filed dossier up for review; it is theirs unless already assigned."""
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        DOSSIER_WORKFLOW.move(dossier, S.UNDER_REVIEW, by=by)
        dossier.assigned_to = dossier.assigned_to or by
        dossier.save(update_fields=["state", "assigned_to", "updated_at"])
        record(actor=by, action="dossier.taken_up", target=dossier, unit=dossier.unit)
        refer_to_commission(dossier, by=by)  # a large project's file goes to the commission as it is taken up
    return dossier


def assign(dossier: Dossier, agent: User, *, by: User) -> Dossier:
    """Give a dossier still pending to an agent who reviews the office's dossiers."""
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        require(by, "procedures.dossier.review", dossier.unit)
        if dossier.state not in (S.FILED, S.UNDER_REVIEW, S.INFORMATION_REQUESTED):
            raise ValidationError(_("Only a dossier awaiting its decision is assigned."))
        if not has_permission(agent, "procedures.dossier.review", dossier.unit):
            raise ValidationError({"agent": _("This person does not review this office's dossiers.")})
        dossier.assigned_to = agent
        dossier.save(update_fields=["assigned_to", "updated_at"])
        record(actor=by, action="dossier.assigned", target=dossier, unit=dossier.unit, details={"agent": agent.pk})
    return dossier


def request_information(dossier: Dossier, *, by: User, reason: str, message: str) -> DossierMessage:
    """Ask the applicant to correct or complete the dossier, saying why (incorrect, incomplete, outdated) and what:
    its delay is paused until they answer."""
    try:
        reason = CorrectionReason(reason)
    except ValueError:
        raise ValidationError({"reason": _("Say why: incorrect, incomplete or outdated.")}) from None
    body = _text(message, "message", required=True)
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        DOSSIER_WORKFLOW.move(dossier, S.INFORMATION_REQUESTED, by=by, reason=reason.label)
        dossier.save(update_fields=["state", "updated_at"])
        asked = _message(dossier, by, body, from_office=True, correction=reason)
        record(actor=by, action="dossier.information_requested", target=dossier, unit=dossier.unit, reason=reason.label)
        tell(dossier, "procedures.information_requested", message=asked)
    return asked


def answer_request(dossier: Dossier, *, by: User, message: str) -> Dossier:
    """The applicant answers a request: their corrected answers must now be complete, and the review, and its
    clock, go on from where they stopped."""
    body = _text(message, "message", required=False)
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        if dossier.applicant_id != by.pk:
            raise PermissionDenied(_("Only the applicant answers for this dossier."))
        checked = checked_answers(dossier, dossier.answers, complete=True)
        if not checked.valid:
            raise ValidationError(checked.errors)
        DOSSIER_WORKFLOW.move(dossier, S.UNDER_REVIEW, by=by)
        dossier.answers = checked.answers
        dossier.save(update_fields=["state", "answers", "updated_at"])
        if body:
            _message(dossier, by, body, from_office=False)
        record(actor=by, action="dossier.information_given", target=dossier, unit=dossier.unit)
    return dossier


def write(dossier: Dossier, *, by: User, body: str, private: bool = False) -> DossierMessage:
    """A message on a dossier: from the applicant to the office, or from an agent of the office to the applicant
    (who is told) or, `private`, a note only the office reads."""
    body = _text(body, "body", required=True)
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        if dossier.state in (S.DRAFT, S.EXPIRED):
            raise ValidationError(_("A draft has no office to write to yet."))
        from_office = dossier.applicant_id != by.pk
        if from_office:
            require(by, "procedures.dossier.review", dossier.unit)
        elif private:
            raise PermissionDenied(_("Only the office keeps private notes."))
        written = _message(dossier, by, body, from_office=from_office, private=private)
        if from_office and not private:
            tell(dossier, "procedures.message", message=written)
    return written


def _issue_decision(dossier: Dossier, kind: str, *, by: User | None, purpose: str) -> None:
    if dossier.unit is None:  # a draft: no workflow step leads from one to a decision
        raise ValidationError(_("A dossier is decided once filed."))
    document = documents.issue_document(
        dossier,
        kind,
        unit=dossier.unit,
        issued_by=by,
        requester={"name": applicant_name(dossier)},
        purpose=purpose,
        account=dossier.applicant,
    )
    dossier.decision = document


def check_decision(dossier: Dossier, by: User) -> None:
    """Who decides, and when (the dossier locked): nobody decides a dossier they filed; a large project only once
    every member of the commission has given its opinion or let its delay run out; and no decision comes once the
    legal delay has run out on a dossier that silence approves (decree 2-22-141): silence has decided, its
    attestation follows at the clocks' next run."""
    if dossier.applicant_id == by.pk:
        raise PermissionDenied(_("Nobody decides a dossier they filed: another person who decides does."))
    due = dossier.decision_due_at
    if dossier.silence_means_approval and due is not None and due <= timezone.now():
        raise ValidationError(
            _("The legal delay has run out: silence has approved this dossier, and its attestation follows."),
            code="approved_by_silence",
        )
    if opinions_awaited(dossier):
        raise ValidationError(
            _("The commission's opinions are awaited: a large project is decided once every member has given its "
              "opinion or let its delay run out."),
            code="opinions_awaited",
        )  # fmt: skip


def approve(dossier: Dossier, *, by: User, conditions: str = "", tax_exemption: str = "") -> Dossier:
    """Approve the dossier, with the conditions it is approved under if any. When its procedure levies the
    construction tax (Law 47-06) and the agent flags no exemption (`tax_exemption`: its ground), the applicant pays it
    first, and the permit is released once paid (`tax_paid`); otherwise the decision is signed by who decides (their
    capacity printed), sealed, and sent to the applicant at once."""
    conditions = _text(conditions, "conditions", required=False)
    tax_exemption = _text(tax_exemption, "tax_exemption", required=False, limit=300)
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        DOSSIER_WORKFLOW.check(dossier, S.APPROVED, by=by, at=dossier.commune)
        check_decision(dossier, by)
        tax = None if tax_exemption else construction_tax_due(dossier)
        dossier.decided_at, dossier.decision_reasons = timezone.now(), conditions
        dossier.tax_exemption = tax_exemption
        if tax is not None and tax.amount > 0:
            DOSSIER_WORKFLOW.move(dossier, S.AWAITING_PAYMENT, by=by, at=dossier.commune)
            dossier.tax_amount = tax.amount
            dossier.payment = payments.create_payment(
                dossier.applicant,
                tax.fee_code,
                collectivity=collectivity_of(dossier.commune),
                description=f"{dossier.procedure.title_fr} — {dossier.reference}",
                for_object=dossier,
                return_url=reverse("procedures:dossier", args=[dossier.pk]),
                quantity=tax.area,
            )
        else:
            DOSSIER_WORKFLOW.move(dossier, S.APPROVED, by=by, at=dossier.commune)
            _issue_decision(dossier, "dossier_decision", by=by, purpose=str(DECISION_PURPOSE))
        dossier.save()
        details = {"tax": str(dossier.tax_amount or 0), "exemption": tax_exemption}
        record(actor=by, action="dossier.approved", target=dossier, unit=dossier.unit, details=details)
        tell(dossier, "procedures.tax_due" if dossier.state == S.AWAITING_PAYMENT else "procedures.dossier_approved")
    return dossier


def tax_paid(payment: Payment) -> None:
    """The construction tax of an approved dossier was paid (inside the payment's transaction, its row locked): the
    decision is issued in the name of who approved, and the permit released."""
    dossier = lock_dossier(payment.for_id)
    if dossier.state != S.AWAITING_PAYMENT:
        return
    approved_by = dossier.transitions.filter(to_state=S.AWAITING_PAYMENT).order_by("-at", "-pk").first()
    DOSSIER_WORKFLOW.move(dossier, S.APPROVED, by=None, reason=_("Construction tax paid."))
    _issue_decision(
        dossier, "dossier_decision", by=approved_by.by if approved_by else None, purpose=str(DECISION_PURPOSE)
    )
    dossier.save(update_fields=["state", "decision", "updated_at"])
    record(
        actor=None, action="dossier.tax_paid", target=dossier, unit=dossier.unit, details={"payment": payment.reference}
    )
    tell(dossier, "procedures.dossier_approved")


def refuse(dossier: Dossier, *, by: User, reasons: str) -> Dossier:
    """Refuse the dossier, saying why (Law 55-19: every refusal is motivated): the decision carries the reasons."""
    reasons = _text(reasons, "reasons", required=True)
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        DOSSIER_WORKFLOW.check(dossier, S.REFUSED, by=by, at=dossier.commune)
        check_decision(dossier, by)
        DOSSIER_WORKFLOW.move(dossier, S.REFUSED, by=by, reason=reasons[:300], at=dossier.commune)
        dossier.decided_at, dossier.decision_reasons = timezone.now(), reasons
        _issue_decision(dossier, "dossier_decision", by=by, purpose=str(DECISION_PURPOSE))
        dossier.save(update_fields=["state", "decided_at", "decision_reasons", "decision", "updated_at"])
        record(actor=by, action="dossier.refused", target=dossier, unit=dossier.unit, reason=reasons[:300])
        tell(dossier, "procedures.dossier_refused")
    return dossier


def reexamine(dossier: Dossier, *, by: User, reason: str) -> Dossier:
    """Send a refused dossier back for a new examination, saying why: its refusal no longer stands, its delay starts
    over, and a large project's commission gives new opinions."""
    reason = _text(reason, "reason", required=True, limit=300)
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        DOSSIER_WORKFLOW.move(dossier, S.UNDER_REVIEW, by=by, reason=reason, at=dossier.commune)
        # The refusal no longer stands: its document stays issued (superseded: documents_kinds), the dossier's next
        # decision takes its place.
        dossier.decided_at, dossier.decision = None, None
        dossier.save(update_fields=["state", "decided_at", "decision", "updated_at"])
        record(actor=by, action="dossier.reexamined", target=dossier, unit=dossier.unit, reason=reason)
        restart_examination(dossier, by=by)
    return dossier


def withdraw(dossier: Dossier, *, by: User, reason: str = "") -> Dossier:
    """The applicant withdraws a dossier awaiting its decision."""
    reason = _text(reason, "reason", required=False, limit=300)
    with transaction.atomic():
        dossier = lock_dossier(dossier)
        DOSSIER_WORKFLOW.move(dossier, S.WITHDRAWN, by=by, reason=reason)
        dossier.save(update_fields=["state", "updated_at"])
        close_awaited_opinions(dossier, str(WITHDRAWN_REASON))
        record(actor=by, action="dossier.withdrawn", target=dossier, unit=dossier.unit, reason=reason)
    return dossier


def approved_by_silence(dossier: Dossier, reason: str) -> None:
    """The decision's delay ran out on a dossier whose procedure approves by silence (decree 2-22-141): the clocks'
    runner moved it; here, in the same transaction, the audit trail keeps it, and its attestation is queued to be
    issued once this is committed (`issue_silence_attestation`), so that the sweep over every dossier due stays
    quick however many fall due together."""
    dossier.decided_at = timezone.now()
    dossier.save(update_fields=["decided_at", "updated_at"])
    close_awaited_opinions(dossier, reason)
    record(actor=None, action="dossier.approved_by_silence", target=dossier, unit=dossier.unit, reason=reason)
    enqueue_on_commit(issue_attestation, dossier.pk)


def issue_silence_attestation(dossier_id: int) -> str:
    """Issue the attestation of a dossier approved by silence, on the governor's services' model, and tell the
    applicant; once (a dossier that has its attestation is left)."""
    with transaction.atomic():
        dossier = lock_dossier(dossier_id)
        if dossier.state != S.APPROVED_BY_SILENCE or dossier.decision_id is not None:
            return "done"
        _issue_decision(dossier, "silence_attestation", by=None, purpose=str(SILENCE_PURPOSE))
        dossier.save(update_fields=["decision", "updated_at"])
        tell(dossier, "procedures.dossier_approved_by_silence")
    return "issued"


def issue_missing_attestations() -> int:
    """Issue the attestations still missing on dossiers approved by silence; returns how many were issued."""
    missing = Dossier.objects.filter(state=S.APPROVED_BY_SILENCE, decision__isnull=True)
    return sum(issue_silence_attestation(pk) == "issued" for pk in missing.values_list("pk", flat=True))
