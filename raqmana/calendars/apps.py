from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def calendars_changed(sender: type, **kwargs: Any) -> None:
    """A holiday or an official month start written one by one (the admin, the services): the working days and the
    Hijri dates cached from them are worked out again. `load_holidays` creates in bulk, which sends no signal, and
    says so itself."""
    from raqmana.kernel import reference_data

    reference_data.changed("calendars")


class CalendarsConfig(AppConfig):
    name = "raqmana.calendars"
    verbose_name = _("Calendars and legal delays")

    def ready(self) -> None:
        from .models import HijriMonthStart, Holiday

        for model in (Holiday, HijriMonthStart):
            post_save.connect(calendars_changed, sender=model, dispatch_uid=f"calendars.changed.{model.__name__}")
            post_delete.connect(calendars_changed, sender=model, dispatch_uid=f"calendars.deleted.{model.__name__}")
