"""The answer to a request, as a kind of the documents engine (read by DocumentsConfig.ready()): sealed by the
collectivity, verified by its QR code, superseded once the request is re-opened."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.documents.content import LATIN, NUMBER, choice, dated, person, row
from raqmana.documents.kinds import DocumentKind, register
from raqmana.documents.models import IssuedDocument

from .constants import AnswerOutcome, ComplaintState, RequestKind
from .models import Complaint


def answer_content(complaint: Complaint, moment: datetime, calendar: MoroccanHijriCalendar) -> dict[str, Any]:
    """The request (its number, kind, subject, date) and the collectivity's answer, with what it gives the
    complainant."""
    filed = timezone.localtime(complaint.filed_at)
    answered = timezone.localtime(complaint.answered_at or moment)
    rows = [
        row("رقم الطلب", "N° de la demande", (complaint.reference, NUMBER)),
        row("نوع الطلب", "Nature de la demande", *choice(RequestKind(complaint.kind).label)),
        row(
            "الجماعة الترابية",
            "Collectivité",
            (complaint.unit.name_ar, "ar"),
            (complaint.unit.name_fr, LATIN),
        ),
        row("تاريخ التوصل", "Reçue le", *dated(filed.date(), calendar)),
        row("الموضوع", "Objet", person(complaint.subject)),
        row("الجواب", "Réponse", person(complaint.answer_text)),
        row("مآل الطلب", "Suite donnée", *choice(AnswerOutcome(complaint.outcome).label)),
        row("تاريخ الجواب", "Date de la réponse", *dated(answered.date(), calendar)),
    ]
    return {"act_office": [complaint.unit.name_ar, complaint.unit.name_fr], "rows": rows, "mentions": []}


def _check_answered(complaint: Complaint) -> None:
    if complaint.state != ComplaintState.ANSWERED:
        raise ValidationError(_("This document is drawn from an answered request only."))


def _reopened_since(document: IssuedDocument) -> datetime | None:
    """An answer stands until its request is re-opened."""
    steps = document.subject.transitions.filter(at__gt=document.issued_at).order_by("at", "pk")
    return steps.values_list("at", flat=True).first()


register(
    DocumentKind(
        code="complaint_answer",
        label=gettext_lazy("Answer to a complaint, observation or suggestion"),
        title_ar="جواب على شكاية أو ملاحظة أو اقتراح",
        title_fr="Réponse à une réclamation, observation ou suggestion",
        subject_model="complaints.complaint",
        content=answer_content,
        superseded_since=_reopened_since,
        check_subject=_check_answered,
        reference=lambda complaint: complaint.reference,
        read_permission="complaints.complaint.read",
    ),
)
