from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "legalisation.request.read",
        _("Read the legalisation office's register and requests"),
        _("Only the office's officers and the commune's president read its register."),
    ),
    Permission(
        "legalisation.request.handle",
        _("Enrol signers, legalise signatures and certify copies"),
        _("Only the office's legalisation officers legalise and certify there."),
        superusers=False,
    ),
)
