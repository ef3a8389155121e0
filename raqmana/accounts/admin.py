from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, EnterpriseRepresentative, User
from .services.two_factor import issue_enrolment_code


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "phone", "full_name"]


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People are never deleted; a lost authenticator is replaced with a new enrolment code."""

    form = UserChangeForm
    add_form = UserCreationForm
    actions = ["issue_enrolment_codes"]
    ordering = ["full_name"]
    list_display = ["full_name", "email", "phone", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["full_name", "email", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "email_verified_at", "phone", "phone_verified_at", "password"]}),
        (_("Person"), {"fields": ["full_name", "preferred_language", "national_id"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "phone", "full_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined", "national_id", "email_verified_at", "phone_verified_at"]

    def save_model(self, request, obj, form, change):
        """A new email or phone typed here is not proved: its holder proves it by the code sent there."""
        if change and "email" in form.changed_data:
            obj.email_verified_at = None
        if change and "phone" in form.changed_data:
            obj.phone_verified_at = None
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Issue a two-factor enrolment code (replaces their authenticator)"))
    def issue_enrolment_codes(self, request, queryset):
        for user in queryset:
            code = issue_enrolment_code(user, by=request.user)
            self.message_user(
                request,
                _("Enrolment code for %(person)s, to hand over in person, valid 7 days: %(code)s")
                % {"person": user, "code": code},
                messages.WARNING,
            )

    def has_delete_permission(self, request, obj=None):
        return False


class RepresentativeInline(admin.TabularInline):
    """Read-only: representatives are invited and accept through the services, which audit each step."""

    model = EnterpriseRepresentative
    fk_name = "enterprise"
    extra = 0
    fields = readonly_fields = ["user", "capacity", "added_at", "added_by", "accepted_at", "revoked_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "ice", "commune", "registered_at"]
    search_fields = ["legal_name", "ice"]
    autocomplete_fields = ["commune"]
    inlines = [RepresentativeInline]

    def has_delete_permission(self, request, obj=None):
        return False
