"""Pre-declarations of births and deaths by establishments (a maternity, a hospital), waiting in the office's queue
until an act takes them up or an agent dismisses them; and the API keys establishments file them with."""

import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.civil_status import rules
from raqmana.civil_status.constants import ActKind, PreDeclarationState
from raqmana.civil_status.models import Establishment, PreDeclaration
from raqmana.civil_status.names import ARABIC_FOLDS, ARTICLE, COMPOUND_PREFIXES
from raqmana.civil_status.workflows import PRE_DECLARATION_WORKFLOW
from raqmana.territories.models import CivilStatusOffice

API_KEY_PREFIX_LENGTH = 8


@transaction.atomic
def issue_api_key(establishment: Establishment, *, by: User) -> str:
    """A new API key for an establishment's software; shown once, only its hash is kept. The old key stops."""
    prefix, secret = secrets.token_hex(API_KEY_PREFIX_LENGTH // 2), secrets.token_urlsafe(32)
    establishment.api_key_prefix = prefix
    establishment.api_key_hash = make_password(secret)
    establishment.save(update_fields=["api_key_prefix", "api_key_hash"])
    record(actor=by, action="establishment.api_key_issued", target=establishment, territory=establishment.commune)
    return f"rqm_{prefix}_{secret}"


def establishment_for_api_key(key: str | None) -> Establishment | None:
    """The active establishment whose key this is, or None."""
    try:
        _tag, prefix, secret = (key or "").split("_", 2)
    except ValueError:
        return None
    establishment = Establishment.objects.filter(api_key_prefix=prefix, is_active=True).first()
    if establishment and check_password(secret, establishment.api_key_hash):
        return establishment
    return None


def move_pre_declaration(pre_declaration: PreDeclaration, to_state: str, by: User | None, reason: str = "") -> None:
    PRE_DECLARATION_WORKFLOW.move(pre_declaration, to_state, by=by, reason=reason)
    pre_declaration.save(update_fields=["state"])


@transaction.atomic
def file_pre_declaration(
    establishment: Establishment, data: Mapping[str, Any], *, by: User | None = None
) -> PreDeclaration:
    """An establishment announces a birth or death; it goes to the queue of the office of its commune."""
    if not establishment.is_active:
        raise PermissionDenied(_("This establishment may not file pre-declarations."))
    if by is not None and not establishment.members.filter(pk=by.pk).exists():
        raise PermissionDenied(_("Only the establishment's members file its pre-declarations."))
    office = CivilStatusOffice.objects.filter(territory=establishment.commune, is_active=True).order_by("pk").first()
    if office is None:
        raise ValidationError(_("The establishment's commune has no open civil status office."))
    fields = ["kind", "sex", "first_name_ar", "family_name_ar", "father_name_ar", "mother_name_ar", "event_date",
              "event_time", "place_detail"]  # fmt: skip
    pre_declaration = PreDeclaration(
        establishment=establishment,
        office=office,
        filed_by=by,
        **{field: data[field] for field in fields if field in data},
    )
    if pre_declaration.event_date and pre_declaration.event_date > timezone.localdate():
        raise ValidationError({"event_date": _("The date is in the future.")})
    if pre_declaration.event_date and pre_declaration.event_date < rules.EARLIEST_DATE:
        raise ValidationError(
            {"event_date": _("This date is before %(year)s: check the year.") % {"year": rules.EARLIEST_DATE.year}}
        )
    pre_declaration.full_clean()
    pre_declaration.save()
    PRE_DECLARATION_WORKFLOW.open(pre_declaration, by=by)
    record(actor=by, action="pre_declaration.filed", target=pre_declaration, unit=office)
    return pre_declaration


@transaction.atomic
def dismiss_pre_declaration(pre_declaration: PreDeclaration, *, by: User, reason: str) -> PreDeclaration:
    PRE_DECLARATION_WORKFLOW.check(pre_declaration, PreDeclarationState.DISMISSED, by=by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the pre-declaration is dismissed.")})
    move_pre_declaration(pre_declaration, PreDeclarationState.DISMISSED, by, reason)
    record(
        actor=by,
        action="pre_declaration.dismissed",
        target=pre_declaration,
        reason=reason,
        unit=pre_declaration.office,
    )
    return pre_declaration


def draft_data_from(pre_declaration: PreDeclaration) -> dict[str, Any]:
    """What a pre-declaration already says, to start the act's form with (the declarant completes the rest)."""
    event = "death_date" if pre_declaration.kind == ActKind.DEATH else "birth_date"
    father_first_name, father_family_name = first_and_family_name(pre_declaration.father_name_ar)
    mother_first_name, mother_family_name = first_and_family_name(pre_declaration.mother_name_ar)
    return {
        "sex": pre_declaration.sex,
        "first_name_ar": pre_declaration.first_name_ar,
        # A child takes the father's family name: the establishment may have written it only in his.
        "family_name_ar": pre_declaration.family_name_ar or father_family_name,
        "father_first_name_ar": father_first_name,
        "mother_first_name_ar": mother_first_name,
        "mother_family_name_ar": mother_family_name,
        event: pre_declaration.event_date,
        "birth_time" if event == "birth_date" else "death_time": pre_declaration.event_time,
        "birth_place_detail" if event == "birth_date" else "death_place_detail": pre_declaration.place_detail,
        "birth_place" if event == "birth_date" else "death_place": pre_declaration.establishment.commune,
    }


# Words that make one first name with the next or the previous word: عبد الله, أبو بكر, فتح الله, فاطمة الزهراء;
# and نور الدين, by names.COMPOUND_PREFIXES.
FIRST_NAME_PARTICLES = {word.translate(ARABIC_FOLDS) for word in ("عبد", "أبو")}
FIRST_NAME_ENDINGS = {word.translate(ARABIC_FOLDS) for word in ("الله", "الزهراء")}


def first_and_family_name(full_name: str) -> tuple[str, str]:
    """A parent's full name as an establishment writes it ("محمد بنجلون", "عبد الرحمن الإدريسي") split into the
    act's first name and family name: the first word, or the first two for a compound first name; the rest."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip(), ""
    first, second = (word.translate(ARABIC_FOLDS) for word in words[:2])
    compound = (
        first in FIRST_NAME_PARTICLES
        or (first in COMPOUND_PREFIXES and second.startswith(ARTICLE))
        or second in FIRST_NAME_ENDINGS
    )
    taken = 2 if compound else 1
    return " ".join(words[:taken]), " ".join(words[taken:])
