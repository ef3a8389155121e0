from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

declare(
    Action("proposal.submitted", _("Proposal submitted by an official")),
    Action("proposal.commented", _("Proposal commented")),
    Action("proposal.supported", _("Proposal supported")),
    Action("proposal.moved", _("Proposal moved by the DGCT (study, adoption, rejection, implementation)")),
)
