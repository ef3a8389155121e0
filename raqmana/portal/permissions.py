from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "portal.workspace.view",
        _("Work at a counter: the workspace of one's offices and commune"),
        _("Only the agents of a commune's offices and services, and the commune president, open the workspace."),
        superusers=False,
    ),
    Permission(
        "portal.supervision.view",
        _("Supervise territories: the supervision pages"),
        _(
            "Only those who supervise territories open the supervision pages: the provincial civil status inspectors, "
            "the governor's and the wali's services, and the DGCT."
        ),
    ),
    Permission(
        "portal.notification.resend",
        _("See the notifications of one's offices that were not delivered, and send them again"),
        _("Only the officers of the office a notification concerns, and the administration, send it again."),
    ),
)
