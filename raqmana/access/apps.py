from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """Who may do what, where: roles held for a place, the permissions each role gives, and scoped reads."""

    name = "raqmana.access"
    verbose_name = _("Access")

    def ready(self):
        autodiscover_modules("permissions")  # every app's declarations, before the table is checked
        from . import checks, receivers  # noqa: F401 (registers the system checks; forgets changed roles)
