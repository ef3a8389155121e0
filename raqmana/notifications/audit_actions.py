from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

# Each event stands at the notification's office, or nationally for a message about a person's own account.
declare(
    Action("notification.given_up", _("Notification given up after its last attempt")),
    Action("notification.resent", _("Notification sent again")),
)
