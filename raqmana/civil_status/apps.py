from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilStatusConfig(AppConfig):
    name = "raqmana.civil_status"
    verbose_name = _("Civil status")

    def ready(self):
        from . import receivers  # noqa: F401 (forgets what is kept of an establishment's members when they change)
