from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "access.role.grant",
        _("Grant and revoke roles within one's place"),
        _("You may not grant this role for this place."),
    ),
)
