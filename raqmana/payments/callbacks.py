"""How an app hears of its payments' outcomes. Each app that asks for payments registers, in its
`AppConfig.ready()`, what to call for the model its payments are for:

    register("documents.documentorder", on_paid=order_paid)

Each callback takes the payment and runs inside the transaction that records the outcome, the payment's row
locked. `on_paid` is required (something must be delivered once paid); `on_failed`, `on_mismatched` and
`on_refunded` are optional. A payment for a model that nobody registered is refused when it is created, not
when the money arrives."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import Payment

Callback = Callable[["Payment"], object]


@dataclass(frozen=True)
class PaymentCallbacks:
    on_paid: Callback
    on_failed: Callback | None = None
    on_mismatched: Callback | None = None
    on_refunded: Callback | None = None


_registry: dict[str, PaymentCallbacks] = {}


def register(
    model_label: str,
    *,
    on_paid: Callback,
    on_failed: Callback | None = None,
    on_mismatched: Callback | None = None,
    on_refunded: Callback | None = None,
) -> None:
    """Register the callbacks for the payments made for `model_label` (an app's "app_label.modelname")."""
    if model_label in _registry:
        raise ImproperlyConfigured(f"Payment callbacks for {model_label} are already registered.")
    _registry[model_label] = PaymentCallbacks(on_paid, on_failed, on_mismatched, on_refunded)


def callbacks_for(model_label: str) -> PaymentCallbacks:
    try:
        return _registry[model_label]
    except KeyError:
        raise ImproperlyConfigured(
            f"No payment callbacks are registered for {model_label}: register them in its app's ready()."
        ) from None


def tell(payment: "Payment", outcome: str) -> None:
    """Call the callback of `outcome` ("paid", "failed", "mismatched", "refunded") registered for the payment's
    model, if any."""
    callback = getattr(callbacks_for(payment.for_model), f"on_{outcome}")
    if callback is not None:
        callback(payment)
