from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

declare(
    Action("document.issued", _("Document issued")),
    Action("document.read", _("Issued document opened")),
    Action("document.revoked", _("Document revoked")),
    Action("verification_partner.created", _("Verification partner given an API key")),
    Action("verification_partner.revoked", _("Verification partner's API key revoked")),
)
