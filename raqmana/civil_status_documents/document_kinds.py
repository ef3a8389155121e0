"""The civil status documents, as kinds of the documents engine (read by DocumentsConfig.ready()): what each
certifies of its act, who may receive it (Law 36-21), when it is superseded, and what issuing one records at the
office that keeps the act."""

from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from raqmana.audit.services import record
from raqmana.civil_status.constants import ActState, MentionKind
from raqmana.civil_status.models import Act, Mention
from raqmana.civil_status.selectors import children_of
from raqmana.documents.kinds import DocumentKind, Requester, register
from raqmana.documents.models import IssuedDocument
from raqmana.territories.models import AdministrativeUnit

from . import rules
from .constants import ACT_KIND_OF, RESTRICTED_KINDS, TITLES, CivilStatusDocument, RequesterRelation
from .content import capacity_at, certified_content


def check_act(kind: CivilStatusDocument, act: Act) -> None:
    """Documents are drawn only from signed acts, each kind from its own kind of act."""
    if act.state != ActState.SIGNED:
        raise ValidationError(_("Documents are drawn only from signed acts."))
    if ACT_KIND_OF[kind] != act.kind:
        raise ValidationError({"kind": _("This document is not drawn from this kind of act.")})


def check_requester(kind: CivilStatusDocument, act: Act, requester: Requester) -> None:
    rules.check_requester(kind, requester)


def identity_document_required(kind: CivilStatusDocument, act: Act, unit: AdministrativeUnit) -> str:
    """A full copy or a family booklet record issued by another office than the one keeping the act is issued
    only on the requester's identity document, whose number is recorded (and shown to the keeping office)."""
    if kind in RESTRICTED_KINDS and unit.pk != act.office_id:
        return _(
            "Record the requester's identity document number: another office than the one keeping the act issues a "
            "full copy or a family booklet record only on it."
        )
    return ""


def record_copy_elsewhere(kind: CivilStatusDocument, document: IssuedDocument) -> None:
    """The office keeping the act sees who received a restricted copy elsewhere, and on what identity."""
    act = document.subject
    if kind not in RESTRICTED_KINDS or document.unit_id == act.office_id:
        return
    record(
        actor=document.issued_by,
        action="act.copy_issued_elsewhere",
        target=act,
        # The relation as a label, shown in each reader's language; the number is in the details.
        reason=RequesterRelation(document.requester_relation).label,
        unit=act.office,
        actor_place=document.unit,
        details={"document": document.reference, "kind": kind.value, "requester_document": document.requester_document},
    )


def changed_since(document: IssuedDocument) -> datetime | None:
    """The first mention recorded on the act after the issue."""
    mentions = document.subject.mentions.filter(recorded_at__gt=document.issued_at)
    return mentions.order_by("recorded_at").values_list("recorded_at", flat=True).first()


def family_changed_since(document: IssuedDocument) -> datetime | None:
    """The family changes too when a child is registered, or a child's or a spouse's act receives a mention."""
    act = document.subject
    children = children_of(act)
    spouses = act.mentions.filter(kind=MentionKind.MARRIAGE).values("related_act")
    linked = Mention.objects.filter(Q(act__in=children) | Q(act__in=spouses), recorded_at__gt=document.issued_at)
    changes = [
        changed_since(document),
        children.filter(signed_at__gt=document.issued_at)
        .order_by("signed_at")
        .values_list("signed_at", flat=True)
        .first(),
        linked.order_by("recorded_at").values_list("recorded_at", flat=True).first(),
    ]
    return min((moment for moment in changes if moment is not None), default=None)


def _kind(kind: CivilStatusDocument, superseded_since: Any = changed_since) -> DocumentKind:
    title_ar, title_fr = TITLES[kind]
    return DocumentKind(
        code=kind.value,
        label=kind.label,
        title_ar=title_ar,
        title_fr=title_fr,
        subject_model="civil_status.act",
        content=partial(certified_content, kind),
        superseded_since=superseded_since,
        check_subject=partial(check_act, kind),
        check_requester=partial(check_requester, kind),
        identity_document_required=partial(identity_document_required, kind),
        issued=partial(record_copy_elsewhere, kind),
        capacity=capacity_at,
        relations=RequesterRelation,
        reference=lambda act: act.reference,
    )


register(
    _kind(CivilStatusDocument.BIRTH_EXTRACT),
    _kind(CivilStatusDocument.BIRTH_FULL_COPY),
    _kind(CivilStatusDocument.DEATH_FULL_COPY),
    _kind(CivilStatusDocument.FAMILY_RECORD, superseded_since=family_changed_since),
)
