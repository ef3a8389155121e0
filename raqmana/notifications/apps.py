from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "raqmana.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Each app declares the kinds of message it sends in its notifications.py (kinds.declare).
        autodiscover_modules("notifications")
