from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demonstration data (`manage.py seed_demo`, `demo_totp`): the one app free to import every other."""

    name = "raqmana.demo"
    verbose_name = _("Demonstration data")
