"""Reads of issued documents: the issuing offices' (scoped), the public verification's (by code or by file),
and the national lookup of an act to issue from."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from raqmana.accounts.constants import Role
from raqmana.accounts.models import RoleAssignment
from raqmana.audit.services import record
from raqmana.civil_status.constants import OFFICE_STAFF_ROLES, REGISTER_READER_ROLES, ActKind, MentionKind
from raqmana.civil_status.idcs import is_valid_idcs
from raqmana.civil_status.models import Act, Mention
from raqmana.civil_status.names import compact_arabic, normalise_latin, query_sound_keys, sound_key
from raqmana.civil_status.selectors import children_of
from raqmana.civil_status.services import roles_at_office
from raqmana.core.uploads import check_upload
from raqmana.territories.models import TerritoryLink

from .constants import (
    VERIFICATION_ALPHABET,
    VERIFICATION_CODE_LENGTH,
    DocumentKind,
    DocumentStatus,
    OrderState,
)
from .models import DocumentOrder, IssuedDocument
from .signing import SealCheck, check_seal

PDF_ONLY = {"application/pdf": "pdf"}
ASCII_DIGITS = re.compile("[0-9]+")  # not str.isdigit(), which takes "²" that int() refuses
TIFINAGH_LETTER = re.compile("[\u2d30-\u2d7f]")


def documents_visible_to(user):
    """Issued documents carry a person's civil status: only those who may read the register see them."""
    return IssuedDocument.objects.visible_to(user, roles=REGISTER_READER_ROLES).select_related("act__office", "office")


def open_pdf(user, document):
    """The sealed PDF of a document the user may see (documents_visible_to); the read is logged.
    FileNotFoundError when the storage failed to keep it (services.issue_document)."""
    record(actor=user, action="document.read", target=document, office=document.office)
    return document.pdf.open("rb")


def act_for_order(citizen, reference, event_date, first_name, *, reason):
    """The act a citizen orders from: its IDCS or reference, its date (birth, or death for a death act) and the
    holder's first name must all match, so that nobody reaches an act by trying numbers. The read is logged."""
    act = _act_by_reference(reference)
    if act is None or (act.death_date if act.kind == ActKind.DEATH else act.birth_date) != event_date:
        return None
    if not is_first_name_of(act, first_name):
        return None
    record(actor=citizen, action="act.read", target=act, reason=reason, office=act.office)
    return act


def orders_of(citizen):
    return citizen.document_orders.select_related("act__office", "payment", "document")


def orders_to_check(user):
    """Full copies ordered from the acts of the user's offices, waiting for their check."""
    return (
        DocumentOrder.objects.visible_to(user, roles=OFFICE_STAFF_ROLES)
        .filter(state=OrderState.AWAITING_CHECK)
        .select_related("act__office", "citizen")
        .order_by("created_at")
    )


def open_proof(user, order):
    record(actor=user, action="document_order.proof_read", target=order, office=order.act.office)
    return order.proof.open("rb")


def act_for_issuance(user, office, reference, *, birth_date=None, first_name="", reason):
    """The signed act an agent issues from, anywhere in the national register, found only by its exact
    reference (office code/year/number) or IDCS together with a fact the requester at the desk knows: the
    holder's date of birth or first name (each one given must match). No browsing other offices' registers: a
    miss says nothing of whether the reference exists. The read is logged. Returns None when nothing matches;
    ValidationError without a fact."""
    first_name = (first_name or "").strip()
    if birth_date is None and not first_name:
        raise ValidationError(_("Give the holder's date of birth or first name, as the requester states it."))
    if not roles_at_office(user, office) & OFFICE_STAFF_ROLES:
        return None
    act = _act_by_reference(reference)
    if act is None or (birth_date is not None and act.birth_date != birth_date):
        return None
    if first_name and not is_first_name_of(act, first_name):
        return None
    record(actor=user, action="act.read", target=act, reason=reason, office=act.office)
    return act


def is_first_name_of(act, typed):
    """Whether `typed`, in any script, is the holder's first name as the register compares names: the
    normalised Arabic or Latin spelling, the Tifinagh letters, or the sound key that joins the scripts
    (names.sound_key: "Youcef" is يوسف)."""
    typed = unicodedata.normalize("NFKC", typed or "").strip()
    if not typed:
        return False
    if TIFINAGH_LETTER.search(typed):
        return _without_spaces(typed) == _without_spaces(unicodedata.normalize("NFKC", act.first_name_tfng))
    if compact_arabic(typed) and compact_arabic(typed) == compact_arabic(act.first_name_ar):
        return True
    latin = normalise_latin(typed).replace(" ", "")
    if latin and latin == normalise_latin(act.first_name_latin).replace(" ", ""):
        return True
    sounds = {sound_key(act.first_name_ar), sound_key(act.first_name_latin)} - {""}
    return bool(sounds & set(query_sound_keys(typed)))


def _without_spaces(text):
    return "".join(text.split())


def lookup_supervisors(office):
    """Who answers for the lookups of an office's agents: its civil status officers and the provincial
    inspectors of the province or prefecture above it."""
    above = TerritoryLink.objects.filter(descendant_id=office.territory_id).values("ancestor_id")
    assignments = RoleAssignment.objects.active().filter(
        Q(role=Role.CIVIL_STATUS_OFFICER, office=office) | Q(role=Role.PROVINCIAL_INSPECTOR, territory__in=above)
    )
    return list({assignment.user_id: assignment.user for assignment in assignments.select_related("user")}.values())


def _act_by_reference(reference):
    """The signed act with this IDCS or reference (office code/year/number), or None; ValidationError for a
    reference that is neither."""
    reference = (reference or "").strip().replace(" ", "")
    acts = Act.objects.signed().select_related("office", "birth_place", "death_place")
    if is_valid_idcs(reference):
        return acts.filter(idcs=reference).first()
    office_code, _slash, number = reference.rpartition("/")
    office_code, _slash, year = office_code.rpartition("/") if office_code else ("", "", "")
    if not (office_code and ASCII_DIGITS.fullmatch(year) and ASCII_DIGITS.fullmatch(number)):
        raise ValidationError(_("Give the act's IDCS, or its reference as office code/year/number."))
    return acts.filter(office__code=office_code, year=int(year), number=int(number)).first()


def normalise_code(typed):
    return "".join(character for character in (typed or "").upper() if character.isalnum())


def document_by_code(typed):
    code = normalise_code(typed)
    if len(code) != VERIFICATION_CODE_LENGTH or set(code) - set(VERIFICATION_ALPHABET):
        return None
    return IssuedDocument.objects.select_related("office", "act").filter(verification_code=code).first()


def status_of(document):
    """(status, since): revoked; superseded from the first mention recorded on the act after the issue; valid."""
    if document.revoked_at:
        return DocumentStatus.REVOKED, document.revoked_at
    changes = [
        mention.recorded_at
        for mention in document.act.mentions.filter(recorded_at__gt=document.issued_at).order_by("recorded_at")[:1]
    ]
    if document.kind == DocumentKind.FAMILY_RECORD:
        # The family changes too when a child is registered, or a child's or a spouse's act receives a mention.
        children = children_of(document.act)
        spouses = document.act.mentions.filter(kind=MentionKind.MARRIAGE).values("related_act")
        changes += children.filter(signed_at__gt=document.issued_at).values_list("signed_at", flat=True)[:1]
        linked = Mention.objects.filter(Q(act__in=children) | Q(act__in=spouses), recorded_at__gt=document.issued_at)
        changes += linked.order_by("recorded_at").values_list("recorded_at", flat=True)[:1]
    if changes:
        return DocumentStatus.SUPERSEDED, min(changes)
    return DocumentStatus.VALID, None


@dataclass(frozen=True)
class FileCheck:
    """An uploaded PDF against the records: the issued document with the same bytes, if any, and its seal."""

    document: IssuedDocument | None
    seal: SealCheck

    @property
    def authentic(self):
        return self.document is not None and self.seal.valid


def check_file(data):
    """Byte-for-byte: the SHA-256 must be that of an issued document; the seal must validate on its own."""
    check_upload(data, allowed=PDF_ONLY)
    digest = hashlib.sha256(data).hexdigest()
    document = IssuedDocument.objects.select_related("office", "act").filter(sha256=digest).first()
    return FileCheck(document=document, seal=check_seal(data))
