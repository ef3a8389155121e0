"""A date typed in the Hijri calendar (day, month, year), as old registers and many declarants give it."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import HIJRI_MONTHS_AR, HIJRI_MONTHS_LATIN
from .hijri import HijriDate, typed_hijri_to_gregorian


class HijriDateWidget(forms.MultiWidget):
    """Day, month (by name) and year, in the order Arabic writes them."""

    template_name = "calendars/widgets/hijri_date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        months = [("", "—")] + [
            (number, f"{arabic} ({latin})")
            for number, (arabic, latin) in enumerate(zip(HIJRI_MONTHS_AR, HIJRI_MONTHS_LATIN, strict=True), start=1)
        ]
        super().__init__(
            [
                forms.NumberInput(attrs={"min": 1, "max": 30, "inputmode": "numeric", "aria-label": _("Hijri day")}),
                forms.Select(choices=months, attrs={"aria-label": _("Hijri month")}),
                forms.NumberInput(
                    attrs={"min": 1300, "max": 1500, "inputmode": "numeric", "aria-label": _("Hijri year")}
                ),
            ],
            attrs,
        )

    def decompress(self, value: str | None) -> list[int | None]:
        if not value:
            return [None, None, None]
        hijri = HijriDate.from_iso(value)
        return [hijri.day, hijri.month, hijri.year]


class HijriDateField(forms.MultiValueField):
    """Cleans to the Hijri date as typed, "YYYY-MM-DD" of the Hijri calendar, or "" when left empty; a day the
    month does not have (the 30th of a 29-day month) is refused, never moved to the next month."""

    widget = HijriDateWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = [
            forms.IntegerField(min_value=1, max_value=30),
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1),
        ]
        kwargs.setdefault("help_text", _("Only if the date is given in the Hijri calendar: day, month, year."))
        super().__init__(fields, required=False, require_all_fields=False, **kwargs)

    def compress(self, values: list[Any]) -> str:
        if not values or all(value in (None, "") for value in values):
            return ""
        if any(value in (None, "") for value in values):
            raise forms.ValidationError(_("Give the Hijri day, month and year."), code="incomplete")
        day, month, year = values
        typed_hijri_to_gregorian(year, month, day)
        return HijriDate(year, month, day).iso
