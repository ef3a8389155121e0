from django.utils.translation import gettext_lazy as _

from raqmana.audit.models import AuditEvent
from raqmana.audit.registry import Action, declare
from raqmana.territories.models import Territory

from .constants import ActKind

# The criteria a search is recorded with (`selectors.search_register`), in the order they are shown.
SEARCH_CRITERIA = {
    "name": _("Name"),
    "parent_name": _("A parent's name"),
    "birth_date": _("Date of birth"),
    "birth_year": _("Year of birth"),
    "birth_place_id": _("Commune of birth"),
    "number": _("Act number"),
    "paper_number": _("Act number"),
    "year": _("Year of the act"),
    "idcs": _("IDCS"),
    "kind": _("Kind of act"),
}


def search_shown(event: AuditEvent) -> str:
    """What was searched, as the trail keeps it, and how many acts it found; never the searcher's name."""
    details = event.details
    criteria = [
        _("%(criterion)s: %(value)s") % {"criterion": label, "value": _criterion(key, details[key])}
        for key, label in SEARCH_CRITERIA.items()
        if details.get(key)
    ]
    found = _("Acts found: %(count)s") % {"count": details.get("found", "—")}
    return " · ".join([*criteria, found])


def _criterion(key: str, value: str) -> str:
    if key == "birth_place_id":
        commune = Territory.objects.filter(pk=value).first() if str(value).isdigit() else None
        return commune.name if commune is not None else value
    if key == "kind" and value in ActKind.values:
        return str(ActKind(value).label)
    return value


def refused_read_shown(event: AuditEvent) -> str:
    """The act asked for, by its reference (or its number in the database, when it has none or does not exist):
    the event's target is the reader."""
    details = event.details
    if details.get("reference"):
        return details["reference"]
    return f"#{details['act']}" if details.get("act") else event.target_repr


def batch_shown(event: AuditEvent) -> str:
    """How many digitised acts a batch loaded: the event's target is the agent who loaded them."""
    return _("Acts loaded: %(count)s") % {"count": event.details.get("acts", "—")}


declare(
    Action("act.drafted", _("Act drafted")),
    Action("act.draft_updated", _("Draft corrected")),
    Action("act.signed", _("Act signed")),
    Action("act.abandoned", _("Draft abandoned")),
    Action("act.read", _("Act read")),
    Action("act.read_refused", _("Act read refused (outside the reader's scope)"), shows=refused_read_shown),
    Action("act.searched", _("Register searched"), shows=search_shown),
    Action("act.mention_recorded", _("Marginal mention recorded")),
    Action("act.batch_loaded", _("Digitised acts loaded"), shows=batch_shown),
    Action("act.identity_checked", _("Birth act compared with a death being written")),
    Action("act.shown_as_duplicate", _("Act shown as a possible duplicate")),
    Action("death_notice.sent", _("Death notified to the office keeping the birth act")),
    Action("death_notice.noted", _("Death notice noted")),
    Action("pre_declaration.filed", _("Pre-declaration filed")),
    Action("pre_declaration.dismissed", _("Pre-declaration dismissed")),
    Action("establishment.api_key_issued", _("Establishment API key issued")),
)
