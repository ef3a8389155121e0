from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailRegistryConfig(AppConfig):
    """The electronic mail registry (bureau d'ordre) of each commune: incoming and outgoing correspondence numbered
    without gaps each year, routed to a service, answered, linked to the dossiers and complaints it concerns."""

    name = "raqmana.mail_registry"
    verbose_name = _("Mail registry")
