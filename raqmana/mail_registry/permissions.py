from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "mail_registry.letter.read",
        _("Read the commune's mail registry"),
        _("Only the commune's mail registry and the services the mail goes to read its register."),
    ),
    Permission(
        "mail_registry.letter.register",
        _("Register incoming and outgoing mail"),
        _("Only the commune's mail registry agents register its mail."),
        superusers=False,
    ),
    Permission(
        "mail_registry.letter.confidential",
        _("Read the subject and the scans of confidential mail"),
        _("Only the commune's mail registry agents and its president read confidential mail."),
        superusers=False,
    ),
)
