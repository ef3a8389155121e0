"""Issuing documents drawn from the register: check who may have it, render, seal with the office's key, store
the PDF and record what was issued. Revoking one. Each step is audited."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.accounts.constants import Role
from raqmana.audit.services import record
from raqmana.calendars.hijri import MoroccanHijriCalendar
from raqmana.civil_status.constants import ActState
from raqmana.civil_status.services import roles_at_office
from raqmana.territories.models import Territory

from . import rules
from .constants import (
    ACT_KIND_OF,
    COUNTER_ROLES,
    TITLES,
    VERIFICATION_ALPHABET,
    VERIFICATION_CODE_LENGTH,
    DocumentKind,
)
from .content import certified_content
from .models import DocumentSequence, IssuedDocument
from .rendering import isolate, render_pdf
from .signing import seal_pdf


def new_verification_code():
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH))


def format_code(code):
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def verification_url(code):
    return settings.RAQMANA_PUBLIC_URL + reverse("documents:verify", args=[code])


@transaction.atomic
def issue_at_counter(act, kind, *, office, by, requester, purpose):
    """An agent of any civil status office issues a document from any act of the national register (Law 36-21:
    a copy may be asked from any office). `requester` holds name, identity document, relation, mandate."""
    if not roles_at_office(by, office) & COUNTER_ROLES:
        raise PermissionDenied(_("Only the civil status agents and officers of this office issue its documents."))
    return issue_document(act, kind, office=office, issued_by=by, requester=requester, purpose=purpose)


@transaction.atomic
def issue_document(act, kind, *, office, issued_by, requester, purpose, account=None):
    """Render, seal, store and record one document. `account` is the citizen's account for an online order."""
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
    year = timezone.localdate(now).year
    code = new_verification_code()
    calendar = MoroccanHijriCalendar()
    document = IssuedDocument(
        kind=kind,
        act=act,
        office=office,
        year=year,
        number=_next_number(office, year),
        verification_code=code,
        issued_at=now,
        issued_by=issued_by,
        requester=account,
        requester_name=requester["name"].strip(),
        requester_document=requester.get("document", "").strip(),
        requester_relation=requester["relation"],
        mandate_reference=requester.get("mandate", "").strip(),
        purpose=purpose.strip(),
        content=certified_content(kind, act, now, calendar),
    )
    url = verification_url(code)
    pdf = render_pdf(printed_page(document, calendar, url), verify_url=url, created_at=now)
    sealed = seal_pdf(pdf, office, reason=f"{TITLES[kind][1]} {document.reference}")
    document.sha256 = hashlib.sha256(sealed).hexdigest()
    document.pdf.save(f"{code}.pdf", ContentFile(sealed), save=False)
    document.save()
    record(
        actor=issued_by or account,
        action="document.issued",
        target=document,
        reason=document.purpose,
        office=office,
        details={"kind": kind.value, "act": act.reference, "relation": document.requester_relation},
    )
    return document


@transaction.atomic
def revoke_document(document, *, by, reason):
    """An officer of the issuing office withdraws a document issued in error; it stays recorded."""
    if Role.CIVIL_STATUS_OFFICER not in roles_at_office(by, document.office):
        raise PermissionDenied(_("Only an officer of the issuing office revokes its documents."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the document is revoked.")})
    if document.revoked_at:
        raise ValidationError(_("This document is already revoked."))
    document.revoked_at, document.revoked_by, document.revocation_reason = timezone.now(), by, reason.strip()
    document.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    record(actor=by, action="document.revoked", target=document, reason=reason, office=document.office)
    return document


def _next_number(office, year):
    """The office's next document number for the year: one upsert that locks the sequence row until commit."""
    table = DocumentSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (office_id, year, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (office_id, year) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number",
            [office.pk, year],
        )
        return cursor.fetchone()[0]


def printed_page(document, calendar, url):
    """Everything the PDF prints: the certified content and the lines about its own issue."""
    return {**document.content, **_issuance_lines(document, calendar, url)}


def _issuance_lines(document, calendar, url):
    """What the page says of its own issue: the authority, the office, the date, the number, how to verify."""
    office = document.office
    places = []
    # An arrondissement lies three levels under its region: one query brings the whole chain.
    territory = Territory.objects.select_related("parent__parent__parent").get(pk=office.territory_id)
    while territory is not None:
        places.append(territory)
        territory = territory.parent
    hijri = calendar.to_hijri(timezone.localdate(document.issued_at))
    places.reverse()
    return {
        "authority_ar": ["المملكة المغربية", "وزارة الداخلية", *[place.name_ar for place in places]],
        "authority_fr": ["Royaume du Maroc", "Ministère de l'Intérieur", *[place.name_fr for place in places]],
        "issuer": [office.name_ar, office.name_fr],
        "issued_on": [
            isolate(f"{timezone.localtime(document.issued_at):%d/%m/%Y %H:%M}"),
            f"{hijri.day} {hijri.month_name_ar} {hijri.year} هـ",
        ],
        "reference": isolate(document.reference),
        "code": isolate(format_code(document.verification_code)),
        "verify_url": isolate(url),
    }
