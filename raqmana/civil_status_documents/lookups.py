"""How many acts a person looks up: an agent at the counter, a citizen ordering online. The screens and the API
count together, in the shared cache; the first lookup past a limit is reported once per period."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage

from raqmana.territories.models import AdministrativeUnit

from . import services

# Why the register is read at the counter (the reason the register gives for a copy: civil_status.forms).
ISSUING_READ_REASON = gettext_lazy("Extract or copy requested")
ORDER_READ_REASON = gettext_lazy("Online order of a document")
NO_ACT_FOR_ORDER = gettext_lazy("No act has this IDCS or reference with this date and first name.")
# A citizen finds an act by its reference, date and first name: enough for a family's orders, too few to try
# dates. Counted per account, the page and the API together.
LOOKUP_RATE = "30/h"
ORDER_LOOKUPS = "documents.order_lookup"
# An agent's lookups at the counter, counted together on the screens and in the API (the rate is a setting).
COUNTER_LOOKUPS = "documents.counter_lookup"
COUNTER_LIMIT_REACHED = gettext_lazy(
    "You have looked up more acts than the limit allows (%(rate)s). Lookups resume when the period ends; the "
    "officer of your office and the provincial inspector are told."
)
NO_ACT_WITH_THESE_FACTS = gettext_lazy(
    "No signed act has this IDCS or reference with this date of birth or first name. Check them with the requester."
)


def counter_lookup_refused(request: HttpRequest, office: AdministrativeUnit, lookup: list[object]) -> bool:
    """Count an agent's act lookup at `office` against RAQMANA_COUNTER_LOOKUP_RATE and say whether it goes past
    the limit. The first lookup past it alerts the office's supervisors: once per period, not once per request."""
    rate = settings.RAQMANA_COUNTER_LOOKUP_RATE
    refused, first_refused = _count_lookup(request, COUNTER_LOOKUPS, rate, lookup)
    if first_refused:
        services.report_lookup_limit(request.user, office, rate)
    return refused


def order_lookup_refused(request: HttpRequest, lookup: list[object]) -> bool:
    """Count a citizen's act lookup against LOOKUP_RATE and say whether it goes past the limit; the first one
    past it is kept in the audit trail, once per period."""
    refused, first_refused = _count_lookup(request, ORDER_LOOKUPS, LOOKUP_RATE, lookup)
    if first_refused:
        services.report_order_lookup_limit(request.user, LOOKUP_RATE)
    return refused


def _count_lookup(request: HttpRequest, group: str, rate: str, lookup: list[object]) -> tuple[bool, bool]:
    """Count one lookup of the user's in `group`, in the shared cache (the screens and the API together), against
    `rate`: (refused, first_refused). The same `lookup` as the last one counted (a form posted for the act just
    found, a page reloaded) is not counted again: it shows nothing new."""
    last_counted = f"{group}.last_counted"
    if request.session.get(last_counted) == lookup:
        return False, False
    usage = get_usage(request, group=group, key="user", rate=rate, increment=True)
    if usage is None:  # rate limits switched off
        return False, False
    if not usage["should_limit"]:
        request.session[last_counted] = lookup
    return usage["should_limit"], usage["count"] == usage["limit"] + 1
