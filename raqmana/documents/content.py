"""The pieces every kind's certified content is made of (`kinds.DocumentKind.content`): rows of a label in Arabic
and French and values tagged with their script, dates in both calendars. The content is plain data, kept with the
issued document: the PDF prints it, and the verification page shows exactly it and nothing more.

    {"title": [ar, fr], "act_office": [ar, fr], "rows": [row(...), ...], "mentions": [...]}
"""

from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

from raqmana.calendars.hijri import HijriDate, MoroccanHijriCalendar
from raqmana.kernel.text import ARABIC_LETTER

ARABIC, LATIN, TIFINAGH, NUMBER = "ar", "latin", "tfng", "number"

Value = tuple[str, str]  # a text and its script

# How a document's letterhead names the territories above its issuing unit, in Arabic and French.


def both_languages(text: str | Promise) -> tuple[str, str]:
    """A translatable text (a label, a choice's label) in Arabic and in French, whatever the screen's language.
    It must still be lazy (gettext_lazy): a text already translated stays in the language it was translated to."""
    if not isinstance(text, Promise):
        raise TypeError(f"{text!r} is already translated: pass the lazy label itself")
    with translation.override("ar"):
        arabic = str(text)
    with translation.override("fr"):
        return arabic, str(text)


def row(label_ar: str, label_fr: str, *values: Value) -> dict[str, Any]:
    return {"label": [label_ar, label_fr], "values": [{"text": text, "script": script} for text, script in values]}


def person(name: str) -> Value:
    """A person's name as written in the accounts, in whichever script that is."""
    return name, ARABIC if ARABIC_LETTER.search(name) else LATIN


def clock_time(moment: Any) -> Value:
    return f"{moment:%H:%M}", NUMBER


def choice(label: str | Promise) -> tuple[Value, Value]:
    arabic, french = both_languages(label)
    return (arabic, ARABIC), (french, LATIN)


def gregorian(day: date | datetime | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def dated(day: date | None, calendar: MoroccanHijriCalendar, typed_hijri: str | None = None) -> tuple[Value, ...]:
    """A date in both calendars: the Gregorian in digits, the Hijri with its Arabic month name. A date typed in
    Hijri from an old register (`typed_hijri`, "1350-09-12") is printed as typed; a converted one says when it
    is approximate (before 1924) or computed (a month whose official start is not recorded)."""
    if not day:
        return (("—", NUMBER),)
    if typed_hijri:
        return (gregorian(day), NUMBER), (HijriDate.from_iso(typed_hijri).text_ar, ARABIC)
    return (gregorian(day), NUMBER), (calendar.to_hijri(day).marked_text_ar, ARABIC)
