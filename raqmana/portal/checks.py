from typing import Any

from django.core import checks
from django.urls import NoReverseMatch

from raqmana.access.audiences import is_audience
from raqmana.kernel.navigation import ENTRIES

from .menu import view_audience


@checks.register(checks.Tags.urls)
def menu_entries_lead_somewhere(app_configs: object, **kwargs: Any) -> list[checks.CheckMessage]:
    """Each menu entry names a page that exists, whose audience is said once: by its view (`open_to`), or by the
    entry for a view that is not the project's."""
    errors: list[checks.CheckMessage] = []
    for entry in ENTRIES:
        try:
            declared_by_view = view_audience(entry.url_name)
        except NoReverseMatch:
            errors.append(checks.Error(f"The menu entry {entry.url_name} names no page.", id="portal.E002"))
            continue
        if declared_by_view and entry.shown_to:
            errors.append(
                checks.Error(
                    f"The menu entry {entry.url_name} names an audience its view already declares: remove shown_to.",
                    id="portal.E003",
                )
            )
        elif not is_audience(declared_by_view or entry.shown_to or ""):
            errors.append(
                checks.Error(
                    f"The menu entry {entry.url_name} is shown to {entry.shown_to!r}, no permission nor audience: "
                    "its view declares none (access.audiences.open_to) and the entry names none that exists.",
                    id="portal.E001",
                )
            )
    return errors
