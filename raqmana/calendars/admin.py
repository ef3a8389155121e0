from django.contrib import admin

from .models import HijriMonthStart, Holiday


@admin.register(HijriMonthStart)
class HijriMonthStartAdmin(admin.ModelAdmin):
    list_display = ["hijri_year", "hijri_month", "gregorian_start", "source"]
    list_filter = ["hijri_year"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name_ar", "name_fr", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "date"
