"""Decree 2-22-047 (legalisation of signatures by the communes and arrondissements) and decree 2-17-410 (copies
certified as conforming to their original): one function per rule, the provision in its docstring."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .constants import Completion, Service

# The national electronic identity card's number (CNIE, Law 35-06): one or two letters, then up to six digits.
NATIONAL_ID = re.compile(r"[A-Z]{1,2}[0-9]{1,6}")


def national_id(typed: str, field: str = "national_id") -> str:
    """Decree 2-22-047: the register records the signer's identity by their national identity card, whose number
    (Law 35-06) is one or two letters and up to six digits. Spaces and hyphens dropped, letters in capitals;
    refused on `field` when it is not such a number."""
    number = re.sub(r"[\s-]", "", str(typed or "")).upper()
    if not NATIONAL_ID.fullmatch(number):
        message = _(
            "Enter the number of the national identity card as printed on it: one or two letters and up to six "
            "digits, such as AB123456."
        )
        raise ValidationError({field: message})
    return number


def stamp_duty(pages: int, copies: int) -> Decimal:
    """The stamp duty owed: each page of each copy legalised or certified pays the duty a page the finance law sets
    (RAQMANA_LEGALISATION_STAMP_DUTY_PER_PAGE)."""
    return (settings.RAQMANA_LEGALISATION_STAMP_DUTY_PER_PAGE * pages * copies).quantize(Decimal("0.01"))


def check_completion(service: str, completion: str, *, identity_checked: bool, enrolled: bool) -> None:
    """Decree 2-22-047: the officer legalises a signature after checking the signer's identity in person. Decree
    2-17-410: a copy is certified only against its original, shown to the officer. A signature may be legalised
    without the signer at the counter only for a signer enrolled in person, whose specimen signature the officer
    compares, and where the deployment allows it (RAQMANA_LEGALISATION_REMOTE); a copy never is."""
    if completion == Completion.COUNTER:
        if not identity_checked:
            message = (
                _("Check the signer's identity card in person before legalising.")
                if service == Service.SIGNATURE
                else _("Compare the copy with its original, shown to you, before certifying it.")
            )
            raise ValidationError({"identity_checked": message})
        return
    if service == Service.COPY:
        raise ValidationError({"completion": _("A copy is certified only against its original, at the counter.")})
    if not settings.RAQMANA_LEGALISATION_REMOTE:
        raise ValidationError(
            {"completion": _("This office legalises signatures only with the signer at the counter.")}
        )
    if not enrolled:
        raise ValidationError({"completion": _("Only an enrolled signer's signature is legalised remotely.")})
