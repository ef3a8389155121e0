from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "portal.workspace.view",
        _("Work at a counter: the workspace of one's offices and commune"),
        superusers=False,
    ),
    Permission("portal.supervision.view", _("Supervise territories: the supervision pages")),
    Permission(
        "portal.notification.resend",
        _("See the notifications of one's offices that were not delivered, and send them again"),
        _("Only the officers of the office a notification concerns, and the administration, send it again."),
    ),
)
