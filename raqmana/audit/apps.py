from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "raqmana.audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deployment checks)

        autodiscover_modules("audit_actions")  # every app's declared actions
