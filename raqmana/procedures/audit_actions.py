from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

declare(
    Action("dossier.filed", _("Dossier filed")),
    Action("dossier.read", _("Dossier opened by an agent")),
    Action("dossier.exported", _("List of dossiers exported")),
    Action("dossier.export_downloaded", _("List of dossiers downloaded")),
    Action("dossier.attachment_read", _("Dossier's file opened by an agent")),
    Action("dossier.taken_up", _("Dossier taken up for review")),
    Action("dossier.referred", _("Dossier sent to the commission")),
    Action("dossier.opinion_given", _("Commission member's opinion given")),
    Action("commission.convened", _("Commission meeting scheduled")),
    Action("construction_tax.rate_set", _("Construction tax rate set")),
    Action("dossier.tax_paid", _("Construction tax paid: the permit is released")),
    Action("dossier.assigned", _("Dossier assigned to an agent")),
    Action("dossier.information_requested", _("Corrections or more information asked of the applicant")),
    Action("dossier.information_given", _("The applicant answered a request for corrections")),
    Action("dossier.approved", _("Dossier approved")),
    Action("dossier.refused", _("Dossier refused")),
    Action("dossier.reexamined", _("Refused dossier sent back for a new examination")),
    Action("dossier.withdrawn", _("Dossier withdrawn by the applicant")),
    Action("dossier.approved_by_silence", _("Dossier approved by silence: no decision within the legal delay")),
    # The applicant's own lookup of their birth act: about their account, at no office (a miss names no act).
    Action("dossier.civil_status_link_missed", _("Civil status link of a dossier found no act"), placeless=True),
    Action("dossier.attachment_refused_infected", _("File refused: the virus scan found a threat"), placeless=True),
    Action("dossier.attachment_infected", _("Dossier's file deleted: the virus scan found a threat")),
)
