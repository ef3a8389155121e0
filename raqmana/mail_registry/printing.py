"""The day's register printed as a PDF (typst, with the OFL fonts shipped by the documents app), in the language of
who prints it: the registry files it with the day's letters. Not a sealed document: the register itself, in the
database, is the record."""

import functools
import json
import threading
from datetime import date
from pathlib import Path

import typst
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from raqmana.documents.rendering import FONTS, typst_string

from .constants import Direction
from .models import MailEntry

LAYOUTS = Path(__file__).resolve().parent / "typst"
MAIN = '#import "/day_register.typ": printed\n#printed(json(bytes({data})))\n'
_lock = threading.Lock()


@functools.cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(root=LAYOUTS, font_paths=[FONTS], ignore_system_fonts=True)


def day_register_pdf(letters: list[tuple[MailEntry, bool]], day: date, places: str) -> bytes:
    """The PDF of a day's register: `letters` with, for each, whether its subject is shown (confidential ones are
    not, to who may not read them); `places` names the communes it covers."""
    rows = [
        [
            letter.reference,
            str(Direction(letter.direction).label),
            timezone.localtime(letter.registered_at).strftime("%H:%M"),
            letter.correspondent,
            letter.subject if shown else _("Confidential"),
            letter.routed_to or "—",
        ]
        for letter, shown in letters
    ]
    data = {
        "lang": "ar" if (translation.get_language() or "ar").startswith("ar") else "fr",
        "title": _("The day's register") + " — " + date_format(day, "DATE_FORMAT"),
        "subtitle": _("Mail registry") + " — " + places,
        "header": [_("Number"), _("Direction"), _("Time"), _("Sender or recipient"), _("Subject"), _("Routed to")],
        "rows": rows,
        "empty": _("No letter was registered that day."),
        "footer": _("Printed on %(moment)s") % {"moment": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")},
    }
    main = MAIN.format(data=typst_string(json.dumps(data, ensure_ascii=False)))
    with _lock:
        return _compiler().compile(input=main.encode(), format="pdf")
