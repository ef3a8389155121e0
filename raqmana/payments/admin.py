from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.admin import ReadOnlyAdmin, ReadOnlyInline

from . import services
from .constants import PaymentState, RefundState
from .models import Fee, Payment, ReconciliationDifference, ReconciliationRun, Refund, RefundAttempt, RefundTransition


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    """Tariffs are added, never edited: a change of tariff is a new row from the day it applies, so that what was
    charged stays as charged (`services.add_fee`)."""

    list_display = ["code", "collectivity", "label_fr", "amount", "valid_from", "valid_until", "legal_basis"]
    list_filter = ["code"]
    search_fields = ["code", "collectivity__name_fr", "collectivity__name_ar", "collectivity__code"]
    fields = ["code", "collectivity", "label_ar", "label_fr", "amount", "legal_basis", "valid_from", "valid_until"]
    raw_id_fields = ["collectivity"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        fee = services.add_fee(obj.code, **{name: getattr(obj, name) for name in self.fields if name != "code"})
        obj.pk = fee.pk


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "reference", "payer", "collectivity", "amount", "received_amount", "received_currency", "state", "provider",
        "created_at", "paid_at",
    ]  # fmt: skip
    list_filter = ["state", "provider"]
    list_select_related = ["payer", "collectivity"]
    search_fields = ["reference", "provider_reference"]
    actions = ["give_back_mismatched"]

    def has_give_back_permission(self, request):
        """Giving back a mismatched payment of any collectivity is a superuser's decision (an agent gives back the
        payments of their own collectivity, from their counter)."""
        return request.user.is_superuser

    @admin.action(
        description=_("Give back the sum received for the selected mismatched payments"), permissions=["give_back"]
    )
    def give_back_mismatched(self, request, queryset):
        reason = _("The sum received was not the sum owed.")
        for payment in queryset.filter(state=PaymentState.MISMATCHED):
            services.refund(payment, by=request.user, reason=reason)
            self.message_user(request, _("Refund asked for %(payment)s.") % {"payment": payment.reference})


class RefundTransitionInline(ReadOnlyInline):
    model = RefundTransition
    fields = readonly_fields = ["at", "from_state", "to_state", "by", "reason"]


class RefundAttemptInline(ReadOnlyInline):
    model = RefundAttempt
    fields = readonly_fields = ["at", "provider_reference", "error"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "amount", "currency", "state", "provider_reference", "requested_at",
                    "confirmed_at"]  # fmt: skip
    list_filter = ["state"]
    search_fields = ["idempotency_key", "payment__reference", "provider_reference"]
    inlines = [RefundTransitionInline, RefundAttemptInline]
    actions = ["ask_again"]

    @admin.action(description=_("Ask the provider again for the selected failed refunds"))
    def ask_again(self, request, queryset):
        for money_back in queryset.filter(state=RefundState.FAILED):
            services.ask_refund_again(money_back, by=request.user)
            self.message_user(request, _("Refund asked again: %(key)s.") % {"key": money_back.idempotency_key})


class DifferenceInline(ReadOnlyInline):
    model = ReconciliationDifference
    fields = readonly_fields = ["kind", "reference", "payment", "recorded", "at_provider"]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["at", "date_from", "date_to", "source", "lines"]
    inlines = [DifferenceInline]
