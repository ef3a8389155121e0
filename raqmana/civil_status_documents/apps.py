from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilStatusDocumentsConfig(AppConfig):
    """The register printed: the civil status documents (their kinds in the documents engine), the counter, and
    the citizens' online orders with their checks. Neither civil_status nor documents knows of the other."""

    name = "raqmana.civil_status_documents"
    verbose_name = _("Civil status documents")

    def ready(self):
        from raqmana.payments.callbacks import register

        from . import receivers  # noqa: F401 (what is kept of a citizen's orders is read again when they change)
        from .services import order_paid

        register("civil_status_documents.documentorder", on_paid=order_paid)
