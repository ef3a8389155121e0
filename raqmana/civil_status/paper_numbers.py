"""The number a digitised act carries in its paper register, as written there: digits ("123", or "١٢٣" in
Arabic-Indic digits), followed, for an act inserted after the act of that number, by the word that says so
("123 مكرر", "123 bis"). Loads and searches read and compare it the same way."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.api_types import MAX_SEQUENCE_NUMBER
from raqmana.kernel.numbers import format_quantity

# The words after the number of an inserted act, as Moroccan texts number what they insert: مكرر (bis), مكرر مرتين
# (ter), مكرر ثلاث مرات (quater); and in French, bis, ter, quater.
INSERTED_ACT_WORDS = ("مكرر", "مكرر مرتين", "مكرر ثلاث مرات", "bis", "ter", "quater")
# Western, Arabic-Indic or Eastern Arabic-Indic digits, one system per number: "1٢" is a typing slip, not a number.
DIGITS = "[0-9]+|[\u0660-\u0669]+|[\u06f0-\u06f9]+"
PAPER_NUMBER = re.compile(
    rf"(?P<digits>{DIGITS}) ?(?P<word>{'|'.join(re.escape(word) for word in INSERTED_ACT_WORDS)})?", re.IGNORECASE
)


def written(text: str) -> str:
    """A text of the paper register (a number, a volume) as it is kept and compared: in NFC, its words separated by
    one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def checked(paper_number: str) -> str:
    """The paper act number as it is kept and compared, its digits as written and the word of an inserted act in
    lower case after one space ("12 BIS" and "12bis" are "12 bis"); ValidationError if it is no act number."""
    match = PAPER_NUMBER.fullmatch(written(paper_number))
    if match is None:
        raise ValidationError(
            _("An act number is written in digits, alone or followed by one of these words: %(words)s."),
            code="paper_number",
            params={"words": ", ".join(INSERTED_ACT_WORDS)},
        )
    if not 1 <= int(match["digits"]) <= MAX_SEQUENCE_NUMBER:
        raise ValidationError(
            _("An act number is between 1 and %(maximum)s."),
            code="paper_number",
            params={"maximum": lazy(format_quantity, str)(MAX_SEQUENCE_NUMBER)},  # grouped as read
        )
    return f"{match['digits']} {match['word'].lower()}" if match["word"] else match["digits"]


def plain_number(paper_number: str) -> int | None:
    """The number itself when a checked paper number is only digits, which the act keeps as its number in the
    register; None when the word of an inserted act follows them ("123 مكرر")."""
    return int(paper_number) if paper_number.isdecimal() else None
