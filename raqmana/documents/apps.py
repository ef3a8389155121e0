from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "raqmana.documents"
    verbose_name = _("Issued documents")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deployment checks)

        # Each app registers the kinds of document it issues (kinds.register) in its document_kinds.py.
        autodiscover_modules("document_kinds")
