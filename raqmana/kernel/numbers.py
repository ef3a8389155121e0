"""How the platform writes numbers and money, in Arabic, French and English alike.

One rule: numbers are never grouped by themselves (`USE_THOUSAND_SEPARATOR = False`), so a year (2026), an act's
reference (123/2026), an IDCS or a receipt number never reads "2 026" or "2,026". Only two kinds of number are
grouped, each through its filter, which also isolates it (`<bdi dir="ltr">`) so that a grouped number inside Arabic
text is not reordered ("1 503" read as "503 1"):

- `quantity`: a count meant to be read as a quantity (1 503 communes, a population);
- `money`: an amount, as Moroccan administrations write it, always with two decimals:
  Arabic "2,00 درهم" (the dirham written out, as on receipts and the official bulletin), French "2,00 DH" (the
  abbreviation of Moroccan French), English "2.00 MAD" (the ISO code, read by an English-speaking foreigner who does
  not know "DH"). Another currency a bank took by mistake keeps its ISO code: "2,00 EUR".
"""

from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

CURRENCY = "MAD"
DIRHAM = {"ar": "درهم", "fr": "DH", "en": "MAD"}
NO_BREAK_SPACE = "\xa0"


def format_quantity(value: int, language: str | None = None) -> str:
    """A count grouped by thousands in `language` (the active one by default): "1 503", "1,503"."""
    with translation.override(language or translation.get_language()):
        return number_format(value, use_l10n=True, force_grouping=True)


def format_money(amount: Decimal | int | str, currency: str = CURRENCY, language: str | None = None) -> str:
    """An amount with two decimals and its currency, as written in `language` (the active one by default); the
    number and the unit held together by a no-break space."""
    language = (language or translation.get_language() or "ar")[:2]
    with translation.override(language):
        number = number_format(Decimal(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    unit = DIRHAM.get(language, CURRENCY) if currency == CURRENCY else currency
    return f"{number}{NO_BREAK_SPACE}{unit}"


def isolated(text: str) -> SafeString:
    """Text for a page, isolated from what surrounds it: left to right when it has no letter (a date, a time, a
    number), else in the direction of its first letter (a date with an Arabic month's name)."""
    if any(character.isalpha() for character in text):
        return format_html("<bdi>{}</bdi>", text)
    return format_html('<bdi dir="ltr">{}</bdi>', text)


def isolated_quantity(value: int) -> SafeString:
    """A grouped count for a page, isolated from the text around it."""
    return isolated(format_quantity(value))


def isolated_money(amount: Decimal | int | str, currency: str = CURRENCY) -> SafeString:
    """An amount for a page (a template, a flash message): its number isolated from the text around it."""
    number, _space, unit = format_money(amount, currency).rpartition(NO_BREAK_SPACE)
    return format_html('<span class="money"><bdi dir="ltr">{}</bdi>{}{}</span>', number, NO_BREAK_SPACE, unit)


def with_amounts(message: str, **amounts: SafeString) -> SafeString:
    """A translated message ("Payment received: %(amount)s.") for a page, its placeholders filled with isolated
    amounts: the message is escaped, the amounts are already safe HTML."""
    return mark_safe(escape(message) % amounts)
