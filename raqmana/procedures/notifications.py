"""The messages procedures sends (notifications.kinds); templates in templates/procedures/notifications/."""

from raqmana.notifications.kinds import declare

declare("procedures.dossier_filed", "To an applicant: the dossier is filed; its receipt, number and delay.")
declare("procedures.information_requested", "To an applicant: the office asks for corrections or more information.")
declare("procedures.message", "To an applicant: the office wrote about the dossier.")
declare("procedures.dossier_approved", "To an applicant: the dossier is approved; the decision is attached.")
declare("procedures.dossier_refused", "To an applicant: the dossier is refused, with the reasons.")
declare(
    "procedures.dossier_approved_by_silence",
    "To an applicant: no decision came within the legal delay; silence means approval, the attestation is ready.",
)
declare("procedures.attachment_infected", "To an applicant: a file of the dossier held a threat and was deleted.")
declare("procedures.opinion_requested", "To a commission member: a dossier awaits its opinion, and by when.")
declare(
    "procedures.tax_due", "To an applicant: the dossier is approved; pay the construction tax to receive the permit."
)
declare("procedures.draft_expiring", "To an applicant: a draft left untouched expires in a week unless worked on.")
declare("procedures.export_ready", "To an agent: the list of dossiers asked for export is ready to download.")
