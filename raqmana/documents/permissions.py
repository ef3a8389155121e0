from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "documents.document.read",
        _("Read issued documents"),
        _(
            "Only the civil status agents and officers of this place, its commune president and its inspectors read "
            "the documents issued here."
        ),
    ),
    Permission(
        "documents.document.issue",
        _("Issue documents at the counter"),
        _("Only the agents of this office empowered to issue documents issue its documents."),
        superusers=False,
    ),
    Permission(
        "documents.document.revoke",
        _("Revoke issued documents"),
        _("Only an officer of the issuing office revokes its documents."),
        superusers=False,
    ),
)
