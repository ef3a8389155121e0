from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The page shell: the base template and its menu, home, workspace, supervision and the public office finder."""

    name = "raqmana.portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        autodiscover_modules("navigation")  # every app's menu entries (raqmana.kernel.navigation)
        from . import checks  # noqa: F401 (registers the system checks)
