from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

declare(
    Action("complaint.filed", _("Request filed (complaint, observation or suggestion)")),
    Action("complaint.read", _("Request opened by an agent")),
    Action("complaint.attachment_read", _("Request's file opened by an agent")),
    Action("complaint.forwarded", _("Request qualified and forwarded to the competent service")),
    Action("complaint.answered", _("Request answered")),
    Action("complaint.not_admissible", _("Request closed as not admissible")),
    Action("complaint.rated", _("Answer rated by the complainant")),
    Action("complaint.reopened", _("Request re-opened by the complainant")),
    Action("complaint.escalated", _("Request left beyond its delay: escalated to the supervisors")),
)
