from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

declare(
    Action("role.granted", _("Role granted")),
    Action("role.revoked", _("Role revoked")),
)
