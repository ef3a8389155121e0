from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "portal.workspace.view",
        _("Work at a counter: the workspace of one's offices and commune"),
        superusers=False,
    ),
    Permission("portal.supervision.view", _("Supervise territories: the supervision pages")),
)
