from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "raqmana.documents"
    verbose_name = _("Issued documents")

    def ready(self):
        from raqmana.payments.callbacks import register

        from . import checks  # noqa: F401 (registers the deployment checks)
        from .services import order_paid

        register("documents.documentorder", on_paid=order_paid)
