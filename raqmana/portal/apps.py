from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The page shell: the base template, home, workspace, supervision and the public office finder."""

    name = "raqmana.portal"
    verbose_name = _("Portal")
