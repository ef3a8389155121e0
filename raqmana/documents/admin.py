from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import VerificationPartner


@admin.register(VerificationPartner)
class VerificationPartnerAdmin(admin.ModelAdmin):
    """Partners are added here: the key is shown once, on saving; a revoked key is never given back (a new partner
    entry gives a new one)."""

    list_display = ["name", "rate", "key_prefix", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_prefix"]
    fields = ["name", "rate", "key_prefix", "created_at", "revoked_at"]
    readonly_fields = ["key_prefix", "created_at", "revoked_at"]
    actions = ["revoke_keys"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key = services.create_verification_partner(obj, by=request.user)
        self.message_user(
            request, _("API key for %(name)s, shown only now: %(key)s") % {"name": obj, "key": key}, messages.WARNING
        )

    @admin.action(description=_("Revoke the API key (it stops at once)"))
    def revoke_keys(self, request, queryset):
        for partner in queryset:
            services.revoke_verification_partner(partner, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False
