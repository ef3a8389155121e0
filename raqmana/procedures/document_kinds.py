"""The documents a dossier gives rise to, as kinds of the documents engine (read by DocumentsConfig.ready()): the
receipt issued at once on filing (Law 55-19), the decision (approval or motivated refusal) signed by who decides,
and the attestation that silence approved it when the delay ran out (decree 2-22-141)."""

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from raqmana.access.checking import Person, assignments_of
from raqmana.access.roles import Role
from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.documents.content import ARABIC, LATIN, NUMBER, clock_time, dated, person, row
from raqmana.documents.kinds import DocumentKind, register
from raqmana.documents.models import IssuedDocument
from raqmana.territories.models import AdministrativeUnit

from .constants import DossierState
from .models import Dossier
from .selectors import kept_files
from .services.filing import applicant_name
from .workflows import DOSSIER_WORKFLOW

CAPACITIES = {
    Role.COMMUNE_PRESIDENT: ("رئيس مجلس الجماعة", "Président du conseil communal"),
}


def capacity_at(agent: Person, unit: AdministrativeUnit) -> tuple[str, str]:
    """The capacity printed under the name of who decides: the president of the project's commune."""
    roles = {assignment.role for assignment in assignments_of(agent)}
    return CAPACITIES[Role.COMMUNE_PRESIDENT] if Role.COMMUNE_PRESIDENT in roles else ("", "")


def _delay_text(dossier: Dossier) -> tuple[tuple[str, str], tuple[str, str]]:
    days = dossier.delay_days or 0
    if dossier.delay_in_working_days:
        return (f"{days} يوم عمل", ARABIC), (f"{days} jours ouvrables", LATIN)
    return (f"{days} يوما", ARABIC), (f"{days} jours", LATIN)


def _dossier_rows(dossier: Dossier, calendar: MoroccanHijriCalendar) -> list[dict[str, Any]]:
    procedure = dossier.procedure
    filed = timezone.localtime(dossier.filed_at)
    return [
        row("رقم الملف", "N° du dossier", (dossier.reference, NUMBER)),
        row("المسطرة", "Procédure", (procedure.title_ar, ARABIC), (procedure.title_fr, LATIN)),
        row("صاحب الطلب", "Demandeur", *_applicant(dossier)),
        row("جماعة المشروع", "Commune du projet", (dossier.commune.name_ar, ARABIC), (dossier.commune.name_fr, LATIN)),
        row("تاريخ الإيداع", "Date de dépôt", *dated(filed.date(), calendar), clock_time(filed)),
    ]


def _applicant(dossier: Dossier) -> list[tuple[str, str]]:
    """The applicant as the register writes them when linked (Arabic and Latin letters), else as their account
    does; an enterprise's name first when filed in its name."""
    values = [person(applicant_name(dossier))]
    for link in dossier.version.form.civil_status_links():
        names = (dossier.answers.get(link.key) or {}).get("names") or {}
        latin = f"{names.get('first_name_latin', '')} {names.get('family_name_latin', '')}".strip()
        if latin:
            values.append((latin, LATIN))
    return values


def _office(dossier: Dossier) -> list[str]:
    return [dossier.unit.name_ar, dossier.unit.name_fr]


def receipt_content(dossier: Dossier, moment: datetime, calendar: MoroccanHijriCalendar) -> dict[str, Any]:
    """The receipt: the dossier's number and date, what it asks, the legal delay and when it runs out if nothing
    pauses it, whether silence approves it, and the files given."""
    rule = DOSSIER_WORKFLOW.clock_rule("decision", dossier)
    due = timezone.localtime(rule.due(dossier.filed_at))
    # A delay in working days runs out at the midnight after its last day; one in calendar days at the hour it began.
    last_day = due.date() - timedelta(days=1) if due.time() == time.min else due.date()
    rows = [
        *_dossier_rows(dossier, calendar),
        row("الأجل القانوني للبت", "Délai légal de décision", *_delay_text(dossier)),
        row("آخر أجل للبت", "Décision au plus tard le", *dated(last_day, calendar)),
    ]
    if dossier.silence_means_approval:
        rows.append(
            row(
                "سكوت الإدارة",
                "Silence de l'administration",
                ("يعتبر سكوت الإدارة بعد انصرام الأجل موافقة (المرسوم 2.22.141)", ARABIC),
                ("Vaut approbation à l'expiration du délai (décret 2-22-141)", LATIN),
            )
        )
    held = dossier.version.form.file_ids(dossier.answers)  # a file of a field hidden at filing is not among them
    files = [attachment.name for attachment in kept_files(dossier) if attachment.pk in held]
    rows.append(
        row("الوثائق المودعة", "Pièces déposées", (str(len(files)), NUMBER), *((name, LATIN) for name in files))
    )
    return {"act_office": _office(dossier), "rows": rows, "mentions": []}


def decision_content(dossier: Dossier, moment: datetime, calendar: MoroccanHijriCalendar) -> dict[str, Any]:
    """The decision: approved, or refused with its reasons (Law 55-19: a refusal is motivated)."""
    approved = dossier.state == DossierState.APPROVED
    decided = timezone.localtime(dossier.decided_at or moment)
    rows = [
        *_dossier_rows(dossier, calendar),
        row(
            "القرار",
            "Décision",
            ("الموافقة" if approved else "الرفض", ARABIC),
            ("Accordée" if approved else "Refusée", LATIN),
        ),
        row("تاريخ القرار", "Date de la décision", *dated(decided.date(), calendar)),
    ]
    if dossier.decision_reasons:
        rows.append(row("الأسباب والشروط", "Motifs et conditions", person(dossier.decision_reasons)))
    return {"act_office": _office(dossier), "rows": rows, "mentions": []}


def silence_content(dossier: Dossier, moment: datetime, calendar: MoroccanHijriCalendar) -> dict[str, Any]:
    """The attestation the governor's services deliver on their model: no decision came within the legal delay,
    and silence approved the dossier (decree 2-22-141)."""
    ran_out = timezone.localtime(dossier.decided_at or moment)
    rows = [
        *_dossier_rows(dossier, calendar),
        row("الأجل القانوني للبت", "Délai légal de décision", *_delay_text(dossier)),
        row("انصرام الأجل", "Délai expiré le", *dated(ran_out.date(), calendar)),
        row(
            "الأثر",
            "Effet",
            ("يعتبر الطلب مقبولا بسكوت الإدارة طبقا للمرسوم 2.22.141", ARABIC),
            ("La demande est réputée acceptée par le silence de l'administration (décret 2-22-141)", LATIN),
        ),
    ]
    return {"act_office": _office(dossier), "rows": rows, "mentions": []}


def _check_state(*states: str) -> Any:
    def check(dossier: Dossier) -> None:
        if dossier.state not in states:
            raise ValidationError(_("This document is not drawn from a dossier in this state."))

    return check


def _next_step_since(document: IssuedDocument) -> datetime | None:
    """A decision stands until its dossier moves again (a refusal sent back for a new examination)."""
    steps = document.subject.transitions.filter(at__gt=document.issued_at).order_by("at", "pk")
    return steps.values_list("at", flat=True).first()


def _reference(dossier: Dossier) -> str:
    return dossier.reference


register(
    DocumentKind(
        code="dossier_receipt",
        label=gettext_lazy("Receipt of a dossier"),
        title_ar="وصل إيداع ملف",
        title_fr="Récépissé de dépôt de dossier",
        subject_model="procedures.dossier",
        content=receipt_content,
        superseded_since=lambda document: None,
        check_subject=_check_state(DossierState.FILED),
        reference=_reference,
        read_permission="procedures.dossier.read",
    ),
    DocumentKind(
        code="dossier_decision",
        label=gettext_lazy("Decision on a dossier"),
        title_ar="قرار في شأن طلب",
        title_fr="Décision sur une demande",
        subject_model="procedures.dossier",
        content=decision_content,
        superseded_since=_next_step_since,
        check_subject=_check_state(DossierState.APPROVED, DossierState.REFUSED),
        capacity=capacity_at,
        reference=_reference,
        read_permission="procedures.dossier.read",
    ),
    DocumentKind(
        code="silence_attestation",
        label=gettext_lazy("Attestation of approval by silence"),
        title_ar="شهادة الموافقة الضمنية",
        title_fr="Attestation d'approbation tacite",
        subject_model="procedures.dossier",
        content=silence_content,
        superseded_since=lambda document: None,
        check_subject=_check_state(DossierState.APPROVED_BY_SILENCE),
        reference=_reference,
        read_permission="procedures.dossier.read",
    ),
)
