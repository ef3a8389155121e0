from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.admin import ReadOnlyAdmin

from .models import Act, DeathNotice, Establishment, Mention, PreDeclaration
from .services.pre_declarations import issue_api_key


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "name_ar", "kind", "commune", "is_active", "api_key_prefix"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name_fr", "name_ar", "commune__name_fr"]
    autocomplete_fields = ["commune", "members"]
    readonly_fields = ["api_key_prefix", "api_key_hash"]
    actions = ["issue_api_keys"]

    @admin.action(description=_("Issue a new API key (the old one stops working)"))
    def issue_api_keys(self, request, queryset):
        for establishment in queryset:
            key = issue_api_key(establishment, by=request.user)
            self.message_user(
                request,
                _("API key for %(name)s, shown only now: %(key)s") % {"name": establishment, "key": key},
                messages.WARNING,
            )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Act)
class ActAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "office", "kind", "state", "year", "number", "birth_date", "signed_at"]
    list_filter = ["kind", "state"]
    search_fields = ["idcs", "first_name_ar", "family_name_ar", "first_name_latin", "family_name_latin"]
    show_full_result_count = False


@admin.register(Mention)
class MentionAdmin(ReadOnlyAdmin):
    list_display = ["act", "kind", "authority_kind", "reference_number", "decided_on", "recorded_by"]
    list_filter = ["kind"]


@admin.register(PreDeclaration)
class PreDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "office", "kind", "state", "filed_at"]
    list_filter = ["kind", "state"]


@admin.register(DeathNotice)
class DeathNoticeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "office", "state", "sent_at"]
    list_select_related = ["death_act__office", "birth_act__office", "office"]
    list_filter = ["state"]
