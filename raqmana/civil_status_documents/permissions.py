from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

# The codes keep the "documents." prefix they were granted under (access.roles.ROLE_PERMISSIONS).
declare(
    Permission(
        "documents.order.check",
        _("Check online orders"),
        _("Only the agents of the office that keeps the act check its orders."),
        superusers=False,
    ),
    Permission(
        "documents.copy_elsewhere.read",
        _("See the full copies of the office's acts issued by other offices"),
    ),
    Permission("documents.lookup_alert.receive", _("Be alerted of act lookups over the limit")),
    Permission(
        "documents.lookup_alert.receive_unanswered",
        _("Be alerted of act lookups over the limit where no officer nor inspector answers for them"),
    ),
    Permission(
        "documents.lookup_alert.receive_last",
        _("Be alerted of act lookups over the limit where nobody else answers for them"),
    ),
)
