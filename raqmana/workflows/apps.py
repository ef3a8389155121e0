from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """The life of every case (an act, an order, a payment; later permits and complaints): its states, who may move
    it, the log of each step and the legal clocks that move it when a delay runs out."""

    name = "raqmana.workflows"
    verbose_name = _("Workflows")

    def ready(self):
        autodiscover_modules("workflows")  # every app's workflows, so that the clocks' runner knows each by name
        from . import checks  # noqa: F401 (registers the system checks)
