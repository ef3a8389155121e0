from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

declare(
    Action("legalisation.signer_enrolled", _("Signer enrolled: identity checked, specimen signature captured")),
    Action("legalisation.signer_linked", _("Enrolled signer linked to their account, by its card number")),
    Action("legalisation.prepared", _("Legalisation or certified copy prepared")),
    Action("legalisation.read", _("Legalisation request opened by an officer")),
    Action("legalisation.completed", _("Signature legalised or copy certified: entered in the register")),
    Action("legalisation.refused", _("Legalisation or certified copy refused")),
    Action("legalisation.withdrawn", _("Legalisation request withdrawn by the citizen")),
)
