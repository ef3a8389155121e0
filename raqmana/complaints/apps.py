from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaints, observations and suggestions against the services of a collectivity (decree 2-17-265, the Chikaya
    model): numbered on filing, qualified and forwarded, answered by a signed document, rated and re-opened once;
    the overdue ones escalated to the supervisors."""

    name = "raqmana.complaints"
    verbose_name = _("Complaints")
