from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "raqmana.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import receivers  # noqa: F401 (tells people of the roles granted to them; what is kept of them)
