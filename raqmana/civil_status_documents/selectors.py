"""Reads for civil status documents: the national lookup of an act to issue from (at the counter) or to order from
(online), each read logged; the citizens' orders and the offices' queues of orders to check (scoped)."""

import re
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from raqmana.access.checking import has_permission
from raqmana.access.scoping import visible_to
from raqmana.access.selectors import holders_of
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.civil_status.constants import ActKind
from raqmana.civil_status.idcs import is_valid_idcs
from raqmana.civil_status.models import Act
from raqmana.civil_status.names import is_first_name_of
from raqmana.civil_status.selectors import act_as_of
from raqmana.kernel import personal_cache
from raqmana.kernel.paging import first_rows, page_of
from raqmana.payments.selectors import collectivity_of, fee_in_force
from raqmana.territories.models import AdministrativeUnit

from .constants import CivilStatusDocument, OrderState
from .models import DocumentOrder

ASCII_DIGITS = re.compile("[0-9]+")  # not str.isdigit(), which takes "²" that int() refuses


def order_fee(act: Act, kind: str) -> Decimal | None:
    """What an order of `kind` from `act` costs today, as `services.place_order` charges it (the tariff in force
    at the collectivity of the office keeping the act), or None when no tariff is in force there: placing the
    order then says so."""
    try:
        return fee_in_force(CivilStatusDocument(kind).value, collectivity_of(act.office.territory)).amount
    except ValidationError:
        return None


def act_for_order(
    citizen: User, reference: str, event_date: date, first_name: str, *, reason: str | Promise
) -> Act | None:
    """The act a citizen orders from: its IDCS or reference, its date (birth, or death for a death act) and the
    holder's first name must all match the act as its mentions have corrected it, so that nobody reaches an act
    by trying numbers. The read is logged, and so is a miss (without what was typed)."""
    act = _act_by_reference(reference)
    current = act_as_of(act, timezone.now())["data"] if act is not None else None
    if (
        act is None
        or current is None
        or (current["death_date"] if act.kind == ActKind.DEATH else current["birth_date"]) != event_date
        or not is_first_name_of(current, first_name)
    ):
        record(actor=citizen, action="document_order.lookup_missed", target=citizen)
        return None
    record(actor=citizen, action="act.read", target=act, reason=reason, unit=act.office)
    return act


def orders_of(citizen: User) -> QuerySet[DocumentOrder]:
    return DocumentOrder.objects.filter(citizen=citizen).select_related("act__office", "payment", "document")


def orders_page(citizen: User, number: Any, per_page: int) -> Page:
    """Page `number` of the citizen's orders, the latest first. The first, all most citizens ever see, is kept between
    their requests (`kernel.personal_cache`; a save of one of their orders or of its payment reads it again,
    `receivers`), and what changes with time alone (a payment's confirmation) is worked out from it when shown."""

    def listed() -> QuerySet[DocumentOrder]:
        return DocumentOrder.objects.filter(citizen=citizen).select_related("act__office", "payment")

    return page_of(
        listed,
        per_page,
        number,
        first=lambda: personal_cache.remembered_for(
            citizen, f"civil_status_documents.orders:{per_page}", lambda: first_rows(listed(), per_page)
        ),
    )


def orders_to_check(user: User) -> QuerySet[DocumentOrder]:
    """Full copies ordered from the acts of the user's offices, waiting for their check."""
    return (
        visible_to(DocumentOrder.objects.all(), user, "civil_status_documents.order.check")
        .filter(state=OrderState.AWAITING_CHECK)
        .select_related("act__office", "citizen")
        .order_by("created_at")
    )


def open_proof(user: User, order: DocumentOrder) -> IO[bytes]:
    record(actor=user, action="document_order.proof_read", target=order, unit=order.act.office)
    return order.proof.open("rb")


def act_for_issuance(
    user: User,
    office: AdministrativeUnit,
    reference: str,
    *,
    birth_date: date | None = None,
    first_name: str = "",
    reason: str | Promise,
) -> Act | None:
    """The signed act an agent issues from, anywhere in the national register, found only by its exact IDCS or
    reference (office code/year/number) together with facts the requester at the desk knows (`counter_facts`),
    each compared with the act as its mentions have corrected it. No browsing other offices' registers: a miss
    says nothing of whether the reference exists. The read is logged. Returns None when nothing matches;
    ValidationError when the facts are too few."""
    first_name = (first_name or "").strip()
    counter_facts(reference, birth_date, first_name)
    if not has_permission(user, "documents.document.issue", at=office):
        return None
    act = _act_by_reference(reference)
    if act is None:
        return None
    current = act_as_of(act, timezone.now())["data"]
    if birth_date is not None and current["birth_date"] != birth_date:
        return None
    if first_name and not is_first_name_of(current, first_name):
        return None
    record(actor=user, action="act.read", target=act, reason=reason, unit=act.office, actor_place=office)
    return act


def counter_facts(reference: str, birth_date: date | None, first_name: str) -> None:
    """The facts the counter needs besides the act's IDCS or reference. Reference numbers follow each other in an
    office's year, and births are declared within 30 days, so the neighbouring acts bound a birth date: found by
    its reference, an act needs the holder's first name; the date of birth alone suffices only with the IDCS,
    which is not sequential. ValidationError when the facts are too few."""
    if birth_date is None and not first_name:
        raise ValidationError(_("Give the holder's date of birth or first name, as the requester states it."))
    if not first_name and not is_valid_idcs((reference or "").strip().replace(" ", "")):
        raise ValidationError(
            _("An act found by its reference needs the holder's first name too: the date of birth alone is enough "
              "only with the IDCS.")
        )  # fmt: skip


# Who is alerted of an office's lookups, tier after tier until someone is: its civil status officers and the
# provincial inspectors above it; else the wali's services of the region; else the DGCT.
LOOKUP_ALERT_TIERS = (
    "civil_status_documents.lookup_alert.receive",
    "civil_status_documents.lookup_alert.receive_unanswered",
    "civil_status_documents.lookup_alert.receive_last",
)


def lookup_supervisors(office: AdministrativeUnit) -> list[Any]:
    """Who answers for the lookups of an office's agents: those of the first tier of LOOKUP_ALERT_TIERS who hold
    it at the office, else the superusers, so that an alert always reaches someone."""
    for permission in LOOKUP_ALERT_TIERS:
        people = holders_of(permission, at=office)
        if people:
            return people
    return list(User.objects.filter(is_superuser=True, is_active=True))


def _act_by_reference(reference: str) -> Act | None:
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
