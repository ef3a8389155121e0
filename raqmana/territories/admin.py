from django.contrib import admin

from .models import AdministrativeUnit, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ar", "name_fr", "level", "commune_kind", "population_2024"]
    list_filter = ["level", "commune_kind"]
    search_fields = ["code", "name_ar", "name_fr"]
    readonly_fields = [field.name for field in Territory._meta.fields]

    def has_add_permission(self, request):
        # The hierarchy comes from the HCP reference data (manage.py load_territories), never typed by hand.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name_ar", "name_fr", "territory", "phone", "is_active"]
    list_filter = ["kind", "is_active", "territory__level"]
    search_fields = ["code", "name_ar", "name_fr", "territory__name_fr", "territory__name_ar", "territory__code"]
    autocomplete_fields = ["territory"]

    def has_delete_permission(self, request, obj=None):
        return False
