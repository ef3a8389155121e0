from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import RoleAssignment
from .registry import PERMISSIONS


class RoleAssignmentForm(forms.ModelForm):
    """Checks a new grant with the same rules the service applies, so errors show beside the fields."""

    granter = None

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "territory", "unit", "grant_reason", "revoke_reason"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            territory, _unit = services.place_of(data["role"], territory=data.get("territory"), unit=data.get("unit"))
            if not services.may_grant(self.granter, data["role"], territory, grantee=data["user"]):
                raise ValidationError(PERMISSIONS["access.role.grant"].refusal)
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Roles are granted and revoked through the services, so the rules and the audit trail always apply."""

    list_display = ["user", "role", "territory", "unit", "granted_at", "granted_by", "revoked_at"]
    list_filter = ["role", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__full_name", "user__email", "territory__name_fr", "unit__name_fr", "unit__code"]
    autocomplete_fields = ["user", "territory", "unit"]
    form = RoleAssignmentForm
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.granter = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "territory", "unit", "grant_reason"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pk = services.grant_role(
                obj.user, obj.role, territory=obj.territory, unit=obj.unit, by=request.user, reason=obj.grant_reason
            ).pk
        elif obj.revoke_reason and obj.revoked_at is None:
            services.revoke_role(obj, by=request.user, reason=obj.revoke_reason)

    @admin.action(description=_("Revoke the selected roles"))
    def revoke(self, request, queryset):
        for assignment in queryset.active():
            services.revoke_role(assignment, by=request.user, reason=str(_("Revoked from the administration site")))

    def has_delete_permission(self, request, obj=None):
        return False
