from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Enterprise, EnterpriseRepresentative, RoleAssignment, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "phone", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["full_name", "email", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "phone", "password"]}),
        (_("Person"), {"fields": ["full_name", "preferred_language", "national_id"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "phone", "full_name", "password1", "password2"]})]

    def has_delete_permission(self, request, obj=None):
        return False


class RoleAssignmentForm(forms.ModelForm):
    """Checks a new grant with the same rules the service applies, so errors show beside the fields."""

    granter = None

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "territory", "office", "grant_reason", "revoke_reason"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            territory, _office = services.place_of(
                data["role"], territory=data.get("territory"), office=data.get("office")
            )
            if not services.may_grant(self.granter, data["role"], territory):
                raise ValidationError(_("You may not grant this role for this place."))
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Roles are granted and revoked through the services, so the rules and the audit trail always apply."""

    list_display = ["user", "role", "territory", "office", "granted_at", "granted_by", "revoked_at"]
    list_filter = ["role", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__full_name", "user__email", "territory__name_fr", "office__name_fr", "office__code"]
    autocomplete_fields = ["user", "territory", "office"]
    form = RoleAssignmentForm
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.granter = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "territory", "office", "grant_reason"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pk = services.grant_role(
                obj.user, obj.role, territory=obj.territory, office=obj.office, by=request.user, reason=obj.grant_reason
            ).pk
        elif obj.revoke_reason and obj.revoked_at is None:
            services.revoke_role(obj, by=request.user, reason=obj.revoke_reason)

    @admin.action(description=_("Revoke the selected roles"))
    def revoke(self, request, queryset):
        for assignment in queryset.active():
            services.revoke_role(assignment, by=request.user, reason=str(_("Revoked from the administration site")))

    def has_delete_permission(self, request, obj=None):
        return False


class RepresentativeInline(admin.TabularInline):
    model = EnterpriseRepresentative
    fk_name = "enterprise"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["added_at", "added_by"]
    can_delete = False


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "ice", "commune", "registered_at"]
    search_fields = ["legal_name", "ice"]
    autocomplete_fields = ["commune"]
    inlines = [RepresentativeInline]

    def has_delete_permission(self, request, obj=None):
        return False
