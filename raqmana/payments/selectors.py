"""Reads of payments: the tariff in force, the collectivity a service is paid to."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from raqmana.territories.constants import Level
from raqmana.territories.models import Territory

from .constants import COLLECTIVITY_LEVELS
from .models import Fee


def fee_in_force(code: str, collectivity: Territory, on: date | None = None) -> Fee:
    """The tariff of `code` that applies in `collectivity` on the day `on` (today by default): the
    collectivity's own row, else the national tariff (a row without collectivity).

    The national row is the default because the amounts the platform charges today are set by law for the
    whole country (the 2 DH stamp duty on an extract, the 50 DH of a family booklet: DOMAIN.md), and Law 55-19
    lets an administration demand only the fees published in the national catalogue: a collectivity that has
    published none of its own charges the national one. A province's tariff does not reach its communes: each
    collectivity levies its own fees. Among the rows in force that day, the one that started last applies (a row
    with no last day runs until the next starts)."""
    on = on or timezone.localdate()
    in_force = Fee.objects.filter(Q(collectivity=collectivity) | Q(collectivity__isnull=True), code=code)
    in_force = in_force.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on), valid_from__lte=on)
    fee = in_force.order_by(F("collectivity").asc(nulls_last=True), "-valid_from").first()
    if fee is None:
        raise ValidationError(
            _("No tariff is in force for this service on %(day)s: pay at the office's counter."), params={"day": on}
        )
    return fee


def collectivity_of(territory: Territory) -> Territory:
    """The collectivity a service rendered in `territory` is paid to: the territory itself when it is one, the
    commune of an arrondissement (which is not a legal person of its own)."""
    if territory.level in COLLECTIVITY_LEVELS:
        return territory
    return Territory.objects.get(level=Level.COMMUNE, descendant_links__descendant=territory)
