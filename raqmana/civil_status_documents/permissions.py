from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "civil_status_documents.order.check",
        _("Check online orders"),
        _("Only the agents of the office that keeps the act check its orders."),
        superusers=False,
    ),
    Permission(
        "civil_status_documents.copy_elsewhere.read",
        _("See the full copies of the office's acts issued by other offices"),
        _(
            "Only the civil status agents and officers of the office that keeps the act see the copies issued "
            "elsewhere."
        ),
    ),
    Permission(
        "civil_status_documents.lookup_alert.receive",
        _("Be alerted of act lookups over the limit"),
        _("Only the office's civil status officer and the provincial inspector are alerted of its lookups."),
    ),
    Permission(
        "civil_status_documents.lookup_alert.receive_unanswered",
        _("Be alerted of act lookups over the limit where no officer nor inspector answers for them"),
        _("Only the wali's services are alerted of lookups no officer nor inspector answers for."),
    ),
    Permission(
        "civil_status_documents.lookup_alert.receive_last",
        _("Be alerted of act lookups over the limit where nobody else answers for them"),
        _("Only the DGCT is alerted of lookups nobody else answers for."),
    ),
)
