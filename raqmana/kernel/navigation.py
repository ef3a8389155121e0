"""The portal's menu, fed by each app: its `navigation.py` declares its entries, read when Django starts
(`PortalConfig.ready`). The menu shows a person the entries they may see (`raqmana.portal.menu`).

An app declares here rather than in the portal so that it never imports the page shell above it:

    declare(Entry(_("Civil status"), "civil_status:queue", order=50))

An entry is shown to the audience its view opens to (`access.audiences.open_to`), so that nobody meets a link to a
page that refuses them; only a page whose view is not the project's (the admin site) names its audience here.
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
    """A link of the menu; `order` places it, lowest first. `shown_to`, for a view that declares no audience of its
    own, is one of AUDIENCES or the code of a declared permission ("app.subject.verb")."""

    label: str | Promise
    url_name: str
    order: int
    shown_to: str | None = None


def declare(*entries: Entry) -> None:
    """Add an app's entries to the menu; a URL declared twice is a programming error."""
    for entry in entries:
        if any(declared.url_name == entry.url_name for declared in ENTRIES):
            raise ValueError(f"The menu already has an entry for {entry.url_name}.")
        ENTRIES.append(entry)
    ENTRIES.sort(key=lambda entry: entry.order)
