"""Writes on requests (decree 2-17-265): filing, forwarding, answering by a sealed document, closing as not
admissible, rating, re-opening once, and the escalation of the late ones. Each step locks the request, checks who
takes it (workflows.py), records it in the audit trail and tells the complainant in their language."""

import secrets
from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.selectors import holders_of
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.documents import services as documents
from raqmana.kernel.sequences import next_number
from raqmana.kernel.text import TextKind, check_field_text
from raqmana.kernel.uploads import scanned_uploads
from raqmana.notifications.services import notify
from raqmana.territories.constants import COLLECTIVITY_LEVELS
from raqmana.territories.models import Territory
from raqmana.territories.services import collectivity_unit

from . import rules
from .constants import (
    COMPLAINT_REGISTER,
    MAX_FILES,
    MAX_REASON,
    AnswerOutcome,
    ComplaintCategory,
    Rating,
    RequestKind,
)
from .constants import ComplaintState as S
from .models import Complaint, ComplaintAttachment, follow_code_hash
from .workflows import COMPLAINT_WORKFLOW, lock_complaint

# The follow code of an anonymous observation: what its filer keeps, never stored in clear.
FOLLOW_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
FOLLOW_CODE_LENGTH = 10


def _required(value: Any, field: str) -> str:
    """A text as typed, without its surrounding spaces; refused on `field` when nothing is left."""
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: _("This field is required.")})
    return text


def _choice(value: Any, choices: type[models.TextChoices], field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the options offered.")})
    return str(value)


def file_complaint(
    *,
    by: User,
    kind: str,
    category: str,
    collectivity: Territory,
    subject: str,
    text: str,
    service: str = "",
    anonymous: bool = False,
    files: Sequence[File] = (),
) -> tuple[Complaint, str]:
    """File a request against the services of `collectivity` (a commune, a province or prefecture, a region), with
    up to three files (photographs, letters: checked, rewritten and found clean before anything is written);
    returns it and, for an anonymous observation, the code its filer follows it with (shown once, kept only as a
    hash). It is numbered in the collectivity's register of the year at once, and its two delays start."""
    kind = _choice(kind, RequestKind, "kind")
    category = _choice(category, ComplaintCategory, "category")
    rules.check_anonymity(kind, anonymous)
    if collectivity.level not in COLLECTIVITY_LEVELS:
        raise ValidationError({"collectivity": _("Choose a commune, a province or prefecture, or a region.")})
    complaint = Complaint(
        kind=kind,
        category=category,
        collectivity=collectivity,
        complainant=None if anonymous else by,
        anonymous=anonymous,
        subject=str(subject or "").strip(),
        text=str(text or "").strip(),
        service=str(service or "").strip(),
        year=timezone.localdate().year,
        number=0,
    )
    complaint.clean_fields(exclude=["collectivity", "unit", "complainant", "number"])  # texts checked as stored
    scanned = scanned_uploads(
        files,
        most=MAX_FILES,
        scanner_away=_("The virus scanner does not answer: file the request again in a few minutes."),
    )
    code = ""
    with transaction.atomic():
        complaint.unit = collectivity_unit(collectivity)
        complaint.number = next_number(COMPLAINT_REGISTER, complaint.unit, complaint.year)
        complaint.save()
        if anonymous:
            code = "".join(secrets.choice(FOLLOW_CODE_ALPHABET) for _ in range(FOLLOW_CODE_LENGTH))
            complaint.follow_code_hash = follow_code_hash(complaint.pk, code)
            complaint.save(update_fields=["follow_code_hash"])
        for one in scanned:
            documents.keep(one, ComplaintAttachment(complaint=complaint), prefix=complaint.pk)
        COMPLAINT_WORKFLOW.open(complaint, by=complaint.complainant)
        # An anonymous observation names nobody, not even in the audit trail.
        record(actor=complaint.complainant, action="complaint.filed", target=complaint, unit=complaint.unit)
        if complaint.complainant is not None:
            tell(
                complaint,
                "complaints.filed",
                qualification_days=rules.qualification_days(),
                answer_days=rules.answer_days(),
            )
    return complaint, code


def forward(complaint: Complaint, *, by: User, forwarded_to: str, kind: str = "", category: str = "") -> Complaint:
    """Qualify the request (its kind and category corrected where the complainant chose wrongly) and forward it to
    the competent service; the answer's delay runs on."""
    forwarded_to = Complaint.checked_text("forwarded_to", _required(forwarded_to, "forwarded_to"))
    with transaction.atomic():
        complaint = lock_complaint(complaint.pk)
        if kind:
            complaint.kind = _choice(kind, RequestKind, "kind")
        if category:
            complaint.category = _choice(category, ComplaintCategory, "category")
        COMPLAINT_WORKFLOW.move(complaint, S.FORWARDED, by=by, reason=forwarded_to[:300])
        complaint.forwarded_to, complaint.forwarded_at = forwarded_to, timezone.now()
        complaint.save(update_fields=["state", "kind", "category", "forwarded_to", "forwarded_at", "updated_at"])
        record(actor=by, action="complaint.forwarded", target=complaint, unit=complaint.unit, reason=forwarded_to)
        tell(complaint, "complaints.forwarded")
    return complaint


def answer(complaint: Complaint, *, by: User, text: str, outcome: str) -> Complaint:
    """Answer the request: the answer is issued as a sealed document of the collectivity, which the complainant reads on
    the request's page and anyone verifies by its QR code."""
    text = Complaint.checked_text("answer_text", _required(text, "answer_text"))
    outcome = _choice(outcome, AnswerOutcome, "outcome")
    with transaction.atomic():
        complaint = lock_complaint(complaint.pk)
        COMPLAINT_WORKFLOW.move(complaint, S.ANSWERED, by=by)
        complaint.answer_text, complaint.outcome, complaint.answered_at = text, outcome, timezone.now()
        complaint.rating, complaint.rated_at = "", None
        complaint.answer = documents.issue_document(
            complaint,
            "complaint_answer",
            unit=complaint.unit,
            issued_by=by,
            requester={"name": complainant_name(complaint)},
            purpose=_("Answer to a request (decree 2-17-265)"),
            account=complaint.complainant,
        )
        complaint.save(
            update_fields=[
                *("state", "answer_text", "outcome", "answered_at"),
                *("rating", "rated_at", "answer", "updated_at"),
            ]
        )
        details = {"outcome": outcome}
        record(actor=by, action="complaint.answered", target=complaint, unit=complaint.unit, details=details)
        tell(complaint, "complaints.answered")
    return complaint


def close_not_admissible(complaint: Complaint, *, by: User, reasons: str) -> Complaint:
    """Close the request as not admissible (outside the collectivity's powers, before a court, abusive), with its
    reasons."""
    reasons = Complaint.checked_text("inadmissible_reasons", _required(reasons, "reasons"), error_key="reasons")
    with transaction.atomic():
        complaint = lock_complaint(complaint.pk)
        COMPLAINT_WORKFLOW.move(complaint, S.NOT_ADMISSIBLE, by=by, reason=reasons[:300])
        complaint.inadmissible_reasons = reasons
        complaint.save(update_fields=["state", "inadmissible_reasons", "updated_at"])
        record(actor=by, action="complaint.not_admissible", target=complaint, unit=complaint.unit, reason=reasons)
        tell(complaint, "complaints.not_admissible")
    return complaint


def rate(complaint: Complaint, *, by: User, rating: str) -> Complaint:
    """The complainant says whether the answer satisfies them; they may change their mind until they re-open it."""
    rating = _choice(rating, Rating, "rating")
    with transaction.atomic():
        complaint = lock_complaint(complaint.pk)
        _check_complainant(complaint, by)
        if complaint.state != S.ANSWERED:
            raise ValidationError(_("Only an answer is rated."))
        complaint.rating, complaint.rated_at = rating, timezone.now()
        complaint.save(update_fields=["rating", "rated_at", "updated_at"])
        record(actor=by, action="complaint.rated", target=complaint, unit=complaint.unit, details={"rating": rating})
    return complaint


def reopen(complaint: Complaint, *, by: User, reason: str) -> Complaint:
    """The complainant, not satisfied, re-opens the answered request once (rules.check_reopening): it goes back to the
    collectivity, whose delay to answer starts over."""
    reason = check_field_text("reason", _required(reason, "reason"), TextKind.MULTILINE_TEXT, max_length=MAX_REASON)
    with transaction.atomic():
        complaint = lock_complaint(complaint.pk)
        _check_complainant(complaint, by)
        now = timezone.now()
        if complaint.state == S.ANSWERED:
            rules.check_reopening(complaint.answered_at, complaint.reopened_at, now)
        COMPLAINT_WORKFLOW.move(complaint, S.REOPENED, by=by, reason=reason[:300])
        complaint.reopened_at, complaint.escalated_at = now, None
        if not complaint.rating:
            complaint.rating, complaint.rated_at = Rating.UNSATISFIED, now
        complaint.save(update_fields=["state", "reopened_at", "escalated_at", "rating", "rated_at", "updated_at"])
        record(actor=by, action="complaint.reopened", target=complaint, unit=complaint.unit, reason=reason)
    return complaint


def escalate(complaint: Complaint, reason: str) -> None:
    """A delay ran out with the request still open (the clocks' runner, the request locked): it is marked late, and
    its supervisors (the collectivity's, and for a commune the province's services) are told."""
    first = complaint.escalated_at is None
    if first:
        complaint.escalated_at = timezone.now()
        complaint.save(update_fields=["escalated_at"])
    record(actor=None, action="complaint.escalated", target=complaint, unit=complaint.unit, reason=reason)
    url = documents.public_url("complaints:handle", complaint.pk)
    for supervisor in holders_of("complaints.complaint.supervise", complaint.collectivity):
        context = {"complaint": complaint, "url": url, "reason": reason}
        notify(cast(User, supervisor), "complaints.escalated", context, unit=complaint.unit)


def _check_complainant(complaint: Complaint, by: User) -> None:
    if complaint.complainant_id is None or complaint.complainant_id != by.pk:
        raise PermissionDenied(_("Only the person who filed the request does this."))


def complainant_name(complaint: Complaint) -> str:
    if complaint.complainant is None:
        return _("Anonymous observation")
    return complaint.complainant.full_name or complaint.complainant.email or ""


def tell(complaint: Complaint, key: str, **context: Any) -> None:
    """Tell the complainant, in their language, with the address of the request's page; an anonymous filer follows
    the request with its code instead."""
    if complaint.complainant is None:
        return
    url = documents.public_url("complaints:complaint", complaint.pk)
    notify(complaint.complainant, key, {"complaint": complaint, "url": url, **context}, unit=complaint.unit)
