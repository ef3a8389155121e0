"""The kinds of document the engine issues. Each is registered by the app that owns its subject, in its
`document_kinds.py` (read by DocumentsConfig.ready()): what the document certifies, who may receive it, and when
it is superseded. The engine numbers, renders, seals, stores, verifies and revokes; it knows nothing of the
records it prints.

    register(DocumentKind(code="birth_extract", label=..., title_ar=..., title_fr=..., subject_model="civil_status.act",
                          content=..., superseded_since=..., check_subject=..., check_requester=...))
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from raqmana.calendars.hijri import MoroccanHijriCalendar

if TYPE_CHECKING:
    from raqmana.territories.models import AdministrativeUnit

    from .models import IssuedDocument

# What the requester states at the counter or online: "name", "document" (identity document number),
# "relation" (to the subject) and "mandate" (for a person authorised by another).
Requester = Mapping[str, Any]


def _accept(*args: object) -> None:
    """Nothing to refuse."""


def _not_required(*args: object) -> str:
    return ""


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document. `content(subject, moment, calendar)` is what it certifies of its subject as of `moment`,
    as plain data (`content.py`: rows of labels in Arabic and French with values tagged by script), kept with the
    record under the kind's title, printed, and shown by the verification page. `superseded_since(document)` is when
    what it certifies first changed after its issue, or None.

    `check_subject(subject)` and `check_requester(subject, requester)` raise ValidationError when the document may
    not be drawn from this subject, or given to this requester. `identity_document_required(subject, unit)` says
    why the requester's identity document number must be recorded when it must (the refusal's text), else "";
    `issued(document)` records what the owning app keeps of an issue besides the engine's own audit event, in the
    same transaction. `capacity(agent, unit)` is what the page prints under the issuing agent's name (Arabic,
    French). `relations` are the choices of the requester's relation to the subject, `reference(subject)` how the
    audit trail names the subject; `read_permission` who reads the documents issued. `compose(document, page)`,
    for a kind that certifies a file the citizen brought (a legalised signature, a certified copy), returns the PDF
    to seal from the engine's drawn page: that file, stamped, with the page after it."""

    code: str
    label: str | Promise
    title_ar: str
    title_fr: str
    subject_model: str  # "app_label.model"
    content: Callable[[Any, datetime, MoroccanHijriCalendar], dict]
    superseded_since: Callable[["IssuedDocument"], datetime | None]
    check_subject: Callable[[Any], None] = _accept
    check_requester: Callable[[Any, Requester], None] = _accept
    identity_document_required: Callable[[Any, "AdministrativeUnit"], str | Promise] = _not_required
    issued: Callable[["IssuedDocument"], None] = _accept
    capacity: Callable[[Any, "AdministrativeUnit"], tuple[str, str]] = lambda agent, unit: ("", "")
    relations: type[models.TextChoices] | None = None
    reference: Callable[[Any], str] = str
    # Who reads issued documents of this kind at the issuing unit and above (selectors.documents_visible_to): those
    # who read what they are drawn from (a permit's receipt: the dossiers' readers, not the register's).
    read_permission: str = "documents.document.read"
    compose: Callable[["IssuedDocument", bytes], bytes] | None = None

    def draws_from(self, subject: models.Model) -> bool:
        return subject._meta.label_lower == self.subject_model


KINDS: dict[str, DocumentKind] = {}


def register(*kinds: DocumentKind) -> None:
    for kind in kinds:
        if kind.code in KINDS:
            raise ImproperlyConfigured(f"The document kind {kind.code} is registered twice.")
        KINDS[kind.code] = kind


def kind_of(code: str) -> DocumentKind:
    """The registered kind of this code; ValidationError on "kind" for a code no app registered."""
    try:
        return KINDS[str(code)]
    except KeyError:
        raise ValidationError({"kind": _("No such document.")}, code="unknown_document_kind") from None
