"""What a dossier costs: the construction tax of a building permit (Law 47-06), per m² of the covered floor area it
authorises at the commune's rate for its use, paid through the payment interface before the permit is released;
an exemption is flagged by the agent who approves, with its ground."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from raqmana.access.checking import require
from raqmana.accounts.models import User
from raqmana.audit.services import record
from raqmana.payments import services as payments
from raqmana.payments.models import Fee
from raqmana.payments.selectors import collectivity_of, fee_in_force
from raqmana.territories.models import Territory

from .. import rules
from ..constants import CONSTRUCTION_TAX_FEES, TaxedUse
from ..models import Dossier


@dataclass(frozen=True)
class TaxDue:
    use: TaxedUse
    area: Decimal
    rate: Decimal
    amount: Decimal
    fee_code: str


def construction_tax_due(dossier: Dossier) -> TaxDue | None:
    """The construction tax the dossier's approval owes, from its answers as its definition reads them (the covered
    area field, the use field and how each use is taxed), at its commune's rate in force; None when its procedure
    levies none, or its use is not taxed."""
    tax = (dossier.version.definition.get("fees") or {}).get("construction_tax")
    if not isinstance(tax, dict):
        return None
    uses = tax.get("uses") or {}
    answered_use = dossier.answers.get(tax.get("use_field", ""))
    try:
        use = TaxedUse(uses.get(answered_use, "")) if isinstance(uses, dict) else None
        area = Decimal(str(dossier.answers.get(tax.get("area_field", ""))))
    except (ValueError, InvalidOperation):
        return None
    if use is None or not area.is_finite() or area <= 0:
        return None
    code = CONSTRUCTION_TAX_FEES[use]
    rate = fee_in_force(code, collectivity_of(dossier.commune)).amount
    return TaxDue(use, area, rate, rules.construction_tax(area, rate), code)


def set_construction_tax_rate(commune: Territory, use: str, rate: Decimal, *, valid_from: date, by: User) -> Fee:
    """The commune's rate for a use, from `valid_from` (its president's decision), within the law's range."""
    require(by, "procedures.construction_tax.set", commune)
    try:
        use = TaxedUse(use)
    except ValueError:
        raise ValidationError({"use": _("Choose the use the rate applies to.")}) from None
    rules.check_construction_tax_rate(use, rate)
    fee = payments.add_fee(
        CONSTRUCTION_TAX_FEES[use],
        collectivity=collectivity_of(commune),
        amount=rate,
        valid_from=valid_from,
        label_ar="رسم على عمليات البناء",
        label_fr="Taxe sur les opérations de construction",
        legal_basis="Loi 47-06 relative à la fiscalité des collectivités locales",
    )
    record(actor=by, action="construction_tax.rate_set", target=fee, territory=commune, reason=str(rate))
    return fee
