from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import HolidayKind


class HijriMonthStart(models.Model):
    """The Gregorian day on which Morocco began a Hijri month, by its own sighting of the moon.

    Where a month is missing here, the Umm al-Qura tables (hijridate) decide, which can be a day early.
    """

    hijri_year = models.PositiveSmallIntegerField(_("Hijri year"))
    hijri_month = models.PositiveSmallIntegerField(_("Hijri month"), choices=[(m, m) for m in range(1, 13)])
    gregorian_start = models.DateField(_("first day (Gregorian)"), unique=True)
    source = models.CharField(_("source"), max_length=300, help_text=_("The Ministry of Habous announcement."))

    class Meta:
        verbose_name = _("official Hijri month start")
        verbose_name_plural = _("official Hijri month starts")
        ordering = ["-hijri_year", "-hijri_month"]
        constraints = [models.UniqueConstraint(fields=["hijri_year", "hijri_month"], name="one_start_per_hijri_month")]

    def __str__(self) -> str:
        return f"{self.hijri_month:02d}/{self.hijri_year} → {self.gregorian_start:%Y-%m-%d}"


class Holiday(models.Model):
    """A public holiday in Morocco: offices are closed and legal delays do not end on it.

    Rows made from the rules (`services.load_holidays`) are `derived`: a religious one is recomputed whenever
    Morocco's Hijri month starts change. A row added or edited by hand is not, and stays as it is.
    """

    date = models.DateField(_("date"), unique=True)
    name_ar = models.CharField(_("Arabic name"), max_length=120)
    name_fr = models.CharField(_("French name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=HolidayKind.choices)
    # Which day of a Hijri feast this is ("1446-10-01"): once edited by hand, the row still stands for that
    # day, so recomputing does not add the feast a second time.
    hijri_date = models.CharField(_("Hijri date"), max_length=10, blank=True)
    derived = models.BooleanField(
        _("derived from the rules"),
        default=False,
        help_text=_("Recomputed from the fixed dates and Morocco's Hijri calendar; a row edited by hand is not."),
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name_fr}"
