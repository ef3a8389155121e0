from django.contrib import admin

from .models import Fee, Payment


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    list_display = ["code", "label_fr", "amount", "legal_basis"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["reference", "payer", "amount", "state", "provider", "created_at", "paid_at"]
    list_filter = ["state", "provider"]
    search_fields = ["reference", "provider_reference"]

    def has_change_permission(self, request, obj=None):
        return False  # payments change only through the provider's answers and refunds

    def has_delete_permission(self, request, obj=None):
        return False
