"""Reads of the mail registry, through the territory scoping (`access.scoping.visible_to`): the search, the day's
register, and what a reader without the confidential permission does not see of a confidential letter."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.access.checking import has_permission, holding
from raqmana.access.scoping import scope_condition, visible_to
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.complaints.models import Complaint
from raqmana.procedures.models import Dossier
from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

from .constants import PREFIXES, SEARCH_LIMIT, Direction
from .models import MailEntry, MailFile

READ = "mail_registry.letter.read"
CONFIDENTIAL = "mail_registry.letter.confidential"


def letters_visible_to(user: User) -> QuerySet[MailEntry]:
    """The letters of the communes whose register the user reads."""
    return visible_to(MailEntry.objects.all(), user, permission=READ)


@dataclass(frozen=True)
class Search:
    number: str = ""  # "A-2026/12", "2026/12" or "12"
    correspondent: str = ""
    subject: str = ""
    day_from: date | None = None
    day_to: date | None = None
    direction: str = ""


def _number_condition(typed: str) -> Q | None:
    """The letters a typed number names: its direction (A or D), its year and number, or the number alone."""
    text = typed.strip().upper()
    condition = Q()
    for direction, prefix in PREFIXES.items():
        if text.startswith(f"{prefix}-"):
            condition &= Q(direction=direction)
            text = text[2:]
    year, _, number = text.rpartition("/")
    if not number.isascii() or not number.isdigit() or len(number) > 9:
        return None
    condition &= Q(number=int(number))
    if year:
        if not year.isascii() or not year.isdigit() or len(year) != 4:
            return None
        condition &= Q(year=int(year))
    return condition


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search(user: User, criteria: Search) -> list[MailEntry]:
    """The letters of the user's communes that match every criterion given, the latest first (at most 200)."""
    found = letters_visible_to(user).select_related("commune")
    if criteria.number:
        condition = _number_condition(criteria.number)
        if condition is None:
            return []
        found = found.filter(condition)
    if criteria.direction in Direction.values:
        found = found.filter(direction=criteria.direction)
    if criteria.correspondent.strip():
        found = found.filter(correspondent__icontains=criteria.correspondent.strip())
    if criteria.subject.strip():
        found = found.filter(subject__icontains=criteria.subject.strip())
        # A confidential letter's subject is searched only where the user reads confidential mail.
        readable = scope_condition(user, MailEntry.scope_places, CONFIDENTIAL)
        if readable is not None:
            found = found.filter(Q(confidential=False) | readable)
    if criteria.day_from:
        found = found.filter(registered_at__gte=_day_start(criteria.day_from))
    if criteria.day_to:
        found = found.filter(registered_at__lt=_day_start(criteria.day_to + timedelta(days=1)))
    return list(found.order_by("-registered_at", "-pk")[:SEARCH_LIMIT])


def day_register(user: User, day: date) -> list[MailEntry]:
    """The register of a day: every letter registered that day at the user's communes, in the order of their
    numbers, incoming first."""
    that_day = Q(registered_at__gte=_day_start(day), registered_at__lt=_day_start(day + timedelta(days=1)))
    found = letters_visible_to(user).filter(that_day)
    return list(found.select_related("commune", "in_reply_to").order_by("commune_id", "direction", "year", "number"))


def shows_confidential(user: User, entry: MailEntry) -> bool:
    """Whether the user reads this letter's subject and scans: always, unless it is confidential and they hold no
    permission for confidential mail at its commune."""
    return not entry.confidential or has_permission(user, CONFIDENTIAL, entry.commune)


def open_file(user: User, pk: int) -> MailFile | None:
    """A scan the user may open (its letter in their reach, and its subject too when confidential); logged."""
    found = MailFile.objects.select_related("entry__commune", "entry__unit").filter(pk=pk).first()
    if found is None or not letters_visible_to(user).filter(pk=found.entry_id).exists():
        return None
    if not shows_confidential(user, found.entry):
        return None
    record(actor=user, action="mail.file_read", target=found.entry, unit=found.entry.unit)
    return found


def registering_communes(user: User) -> list[Territory]:
    """The communes whose mail the user registers (a clerk holds the role for one, seldom more)."""
    places = {
        assignment.territory_id: assignment.territory
        for assignment in holding(user, "mail_registry.letter.register")
        if assignment.territory is not None and assignment.territory.level == Level.COMMUNE
    }
    return sorted(places.values(), key=lambda commune: commune.code)


def incoming_letter(user: User, commune: Territory, typed: str) -> MailEntry | None:
    """The incoming letter of `commune` whose number is typed ("A-2026/12"), in the user's reach."""
    condition = _number_condition(typed)
    if condition is None:
        return None
    found = letters_visible_to(user).filter(condition, commune=commune, direction=Direction.INCOMING)
    return found.order_by("-year").first()


def letter_for(user: User, pk: int) -> MailEntry | None:
    return (
        letters_visible_to(user)
        .select_related("commune", "unit", "registered_by", "in_reply_to", "dossier__unit", "complaint__collectivity")
        .filter(pk=pk)
        .first()
    )


def _yearly_reference(typed: str) -> tuple[str, int, int] | None:
    """A record's number as printed ("<code>/<year>/<number>"): its code, year and number; None for anything else."""
    code, _, rest = str(typed or "").strip().partition("/")
    year, _, number = rest.partition("/")
    if not code or not (year.isascii() and year.isdigit() and len(year) == 4):
        return None
    if not (number.isascii() and number.isdigit() and len(number) <= 9):
        return None
    return code.upper(), int(year), int(number)


def concerned_dossier(commune: Territory, typed: str) -> Dossier | None:
    """The commune's dossier whose number is typed as its receipt prints it ("URB-04.501.01.07/2026/3")."""
    parts = _yearly_reference(typed)
    if parts is None:
        return None
    code, year, number = parts
    return Dossier.objects.filter(commune=commune, unit__code=code, year=year, number=number).first()


def concerned_complaint(commune: Territory, typed: str) -> Complaint | None:
    """The commune's complaint whose tracking number is typed ("04.501.01.07/2026/12")."""
    parts = _yearly_reference(typed)
    if parts is None:
        return None
    code, year, number = parts
    return Complaint.objects.filter(collectivity=commune, collectivity__code=code, year=year, number=number).first()


def letter_links(user: User, commune: Territory, *, in_reply_to: str, dossier: str, complaint: str) -> dict[str, Any]:
    """The records a letter to register names by their numbers (the incoming letter it answers, the dossier and the
    complaint it concerns), each of `commune`; ValidationError on the field of a number that names none."""
    links: dict[str, Any] = {"in_reply_to": None, "dossier": None, "complaint": None}
    errors = {}
    if in_reply_to.strip():
        links["in_reply_to"] = incoming_letter(user, commune, in_reply_to)
        if links["in_reply_to"] is None:
            errors["in_reply_to"] = _("No incoming letter of this commune has this number.")
    if dossier.strip():
        links["dossier"] = concerned_dossier(commune, dossier)
        if links["dossier"] is None:
            errors["dossier"] = _("No dossier of this commune has this number.")
    if complaint.strip():
        links["complaint"] = concerned_complaint(commune, complaint)
        if links["complaint"] is None:
            errors["complaint"] = _("No complaint of this commune has this number.")
    if errors:
        raise ValidationError(errors)
    return links
