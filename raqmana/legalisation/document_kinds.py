"""A legalised signature and a certified copy, as kinds of the documents engine (read by DocumentsConfig.ready()):
the citizen's own file stamped on the page they chose, followed by the engine's page certifying the register's
entry, sealed by the office and verified by the QR code of the stamp. Never superseded: a mistake is revoked."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.documents.content import LATIN, NUMBER, choice, dated, person, row
from raqmana.documents.kinds import DocumentKind, register
from raqmana.documents.models import IssuedDocument
from raqmana.documents.rendering import isolate
from raqmana.documents.services import format_code, verification_url

from . import stamping
from .constants import RequestState, Service
from .models import LegalisationRequest

OFFICER = ("الموظف المفوض بالإشهاد", "Fonctionnaire délégué")
TITLES = {
    Service.SIGNATURE: ("تصحيح الإمضاء", "Légalisation de signature"),
    Service.COPY: ("نسخة مطابقة للأصل", "Copie certifiée conforme"),
}


def legalisation_content(
    request: LegalisationRequest, moment: datetime, calendar: MoroccanHijriCalendar
) -> dict[str, Any]:
    """The register's entry: its number, the office, who signed (their card) or asked for the copy, the document,
    its pages and their hash as brought, and when and how the officer completed it."""
    completed = timezone.localtime(request.completed_at or moment)
    person_label = ("الموقع", "Signataire") if request.service == Service.SIGNATURE else ("طالب النسخة", "Demandeur")
    rows = [
        row("رقم السجل", "N° du registre", (request.reference, NUMBER)),
        row("الخدمة", "Service", *choice(Service(request.service).label)),
        row(person_label[0], person_label[1], person(request.requester_name)),
        row("رقم البطاقة الوطنية", "N° de la CIN", (request.requester_card, NUMBER)),
        row("الوثيقة", "Document", person(request.subject)),
        row("عدد الصفحات", "Nombre de pages", (str(request.pages), NUMBER)),
        row("عدد النسخ", "Nombre de copies", (str(request.copies), NUMBER)),
        row("بصمة الوثيقة المقدمة", "Empreinte SHA-256 du document présenté", (request.document_sha256, LATIN)),
        row("واجب التنبر", "Droit de timbre", (f"{request.stamp_duty} MAD", NUMBER)),
        row("تاريخ الإشهاد", "Date de la légalisation", *dated(completed.date(), calendar)),
    ]
    return {"act_office": [request.office.name_ar, request.office.name_fr], "rows": rows, "mentions": []}


def _check_completed(request: LegalisationRequest) -> None:
    if request.state != RequestState.COMPLETED or request.number is None:
        raise ValidationError(_("This document is drawn from a completed legalisation only."))


def _signer_required(request: LegalisationRequest, unit: object) -> str:
    return _("The register records the identity card of the person who signs or asks for the copy.")


def stamped_document(document: IssuedDocument, page: bytes) -> bytes:
    """The citizen's file with the office's stamp on the page and at the place they chose, then the engine's page."""
    request: LegalisationRequest = document.subject
    calendar = MoroccanHijriCalendar()
    completed = timezone.localtime(request.completed_at or document.issued_at)
    officer = document.issued_by
    if request.service == Service.SIGNATURE:
        lines = [
            (
                f"الموقع: {isolate(request.requester_name)}، البطاقة الوطنية {isolate(request.requester_card)}",
                f"Signataire : {request.requester_name}, CIN {request.requester_card}",
            )
        ]
    else:
        lines = [
            (
                f"عدد الصفحات: {isolate(str(request.pages))}، عدد النسخ: {isolate(str(request.copies))}",
                f"Pages : {request.pages}, copies : {request.copies}",
            )
        ]
    drawn = stamping.stamp_pdf(
        stamping.Stamp(
            title=TITLES[Service(request.service)],
            office=(request.office.name_ar, request.office.name_fr),
            number=request.reference,
            lines=lines,
            officer=OFFICER,
            officer_name=isolate(officer.full_name) if officer else "",
            date=f"{completed:%d/%m/%Y}",
            hijri=calendar.to_hijri(completed.date()).marked_text_ar,
            code=format_code(document.verification_code),
        ),
        verification_url(document.verification_code),
    )
    with request.document.open("rb") as brought:
        original = brought.read()
    return stamping.stamped(original, drawn, page=request.stamp_page, place=request.stamp_place, certificate=page)


def _kind(code: str, service: Service) -> DocumentKind:
    title_ar, title_fr = TITLES[service]
    return DocumentKind(
        code=code,
        label=service.label,
        title_ar=f"شهادة {title_ar}",
        title_fr=f"Certificat de {title_fr.lower()}",
        subject_model="legalisation.legalisationrequest",
        content=legalisation_content,
        superseded_since=lambda document: None,
        check_subject=_check_completed,
        identity_document_required=_signer_required,
        capacity=lambda agent, unit: OFFICER,
        reference=lambda request: request.reference,
        read_permission="legalisation.request.read",
        compose=stamped_document,
    )


register(
    _kind("legalised_signature", Service.SIGNATURE),
    _kind("certified_copy", Service.COPY),
)
