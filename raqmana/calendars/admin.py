from django import forms
from django.contrib import admin

from . import services
from .models import HijriMonthStart, Holiday


class HijriMonthStartForm(forms.ModelForm):
    class Meta:
        model = HijriMonthStart
        fields = ["hijri_year", "hijri_month", "gregorian_start", "source"]

    def clean(self):
        cleaned_data = super().clean()
        if not self.errors:
            services.check_month_start(
                cleaned_data["hijri_year"],
                cleaned_data["hijri_month"],
                cleaned_data["gregorian_start"],
                replacing=self.instance.pk,
            )
        return cleaned_data


@admin.register(HijriMonthStart)
class HijriMonthStartAdmin(admin.ModelAdmin):
    """Each month's start as the Ministry announces it; saving one recomputes the holidays it moves."""

    form = HijriMonthStartForm
    list_display = ["hijri_year", "hijri_month", "gregorian_start", "source"]
    list_filter = ["hijri_year"]

    def save_model(self, request, obj, form, change):
        services.save_month_start(obj)

    def delete_model(self, request, obj):
        services.delete_month_start(obj)

    def delete_queryset(self, request, queryset):
        for month_start in queryset:
            services.delete_month_start(month_start)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name_ar", "name_fr", "kind", "derived"]
    list_filter = ["kind", "derived"]
    readonly_fields = ["hijri_date", "derived"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if form.has_changed():
            services.save_holiday_by_hand(obj)
