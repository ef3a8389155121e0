from typing import Any

from django.core import checks
from django.urls import NoReverseMatch, reverse

from raqmana.access.registry import PERMISSIONS
from raqmana.kernel.navigation import AUDIENCES, ENTRIES


@checks.register(checks.Tags.urls)
def menu_entries_lead_somewhere(app_configs: object, **kwargs: Any) -> list[checks.CheckMessage]:
    """Each menu entry names a page that exists and a declared permission (or an audience)."""
    errors: list[checks.CheckMessage] = []
    for entry in ENTRIES:
        if entry.shown_to not in AUDIENCES and entry.shown_to not in PERMISSIONS:
            errors.append(
                checks.Error(
                    f"The menu entry {entry.url_name} is shown to {entry.shown_to!r}, no permission nor audience.",
                    id="portal.E001",
                )
            )
        try:
            reverse(entry.url_name)
        except NoReverseMatch:
            errors.append(checks.Error(f"The menu entry {entry.url_name} names no page.", id="portal.E002"))
    return errors
