"""The portal's menu, fed by each app: its `navigation.py` declares its entries, read when Django starts
(`PortalConfig.ready`). The menu shows a person the entries they may see (`raqmana.portal.menu`).

An app declares here rather than in the portal so that it never imports the page shell above it:

    declare(Entry(_("Civil status"), "civil_status:queue", shown_to="civil_status.queue.handle", order=50))
"""

from dataclasses import dataclass

from django.utils.functional import Promise

ANYONE = "anyone"
SIGNED_IN = "signed in"
ADMINISTRATORS = "administrators"  # superusers with a verified second factor (the admin site's own rule)
AUDIENCES = {ANYONE, SIGNED_IN, ADMINISTRATORS}

ENTRIES: list["Entry"] = []


@dataclass(frozen=True)
class Entry:
    """A link of the menu: `shown_to` is one of AUDIENCES, or the code of a declared permission ("app.subject.verb")
    that the person holds somewhere, with their second factor verified; `order` places it, lowest first."""

    label: str | Promise
    url_name: str
    shown_to: str
    order: int


def declare(*entries: Entry) -> None:
    """Add an app's entries to the menu; a URL declared twice is a programming error."""
    for entry in entries:
        if any(declared.url_name == entry.url_name for declared in ENTRIES):
            raise ValueError(f"The menu already has an entry for {entry.url_name}.")
        ENTRIES.append(entry)
    ENTRIES.sort(key=lambda entry: entry.order)
