from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import HijriMonthStart, Holiday


class HijriMonthStartForm(forms.ModelForm):
    class Meta:
        model = HijriMonthStart
        fields = ["hijri_year", "hijri_month", "gregorian_start", "source"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        if not self.errors:
            services.check_month_start(
                self.cleaned_data["hijri_year"],
                self.cleaned_data["hijri_month"],
                self.cleaned_data["gregorian_start"],
                replacing=self.instance.pk,
            )
        return self.cleaned_data


@admin.register(HijriMonthStart)
class HijriMonthStartAdmin(admin.ModelAdmin):
    """Each month's start as the Ministry announces it; saving one recomputes the holidays it moves."""

    form = HijriMonthStartForm
    list_display = ["hijri_year", "hijri_month", "gregorian_start", "source"]
    list_filter = ["hijri_year"]

    def save_model(self, request: HttpRequest, obj: HijriMonthStart, form: forms.Form, change: bool) -> None:
        services.save_month_start(obj)

    def delete_model(self, request: HttpRequest, obj: HijriMonthStart) -> None:
        services.delete_month_start(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HijriMonthStart]) -> None:
        for month_start in queryset:
            services.delete_month_start(month_start)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name_ar", "name_fr", "kind", "derived"]
    list_filter = ["kind", "derived"]
    readonly_fields = ["hijri_date", "derived"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: Holiday, form: forms.Form, change: bool) -> None:
        if form.has_changed():
            services.save_holiday_by_hand(obj)
