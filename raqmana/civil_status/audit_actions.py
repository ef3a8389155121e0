from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

declare(
    Action("act.drafted", _("Act drafted")),
    Action("act.draft_updated", _("Draft corrected")),
    Action("act.signed", _("Act signed")),
    Action("act.abandoned", _("Draft abandoned")),
    Action("act.read", _("Act read")),
    Action("act.read_refused", _("Act read refused (outside the reader's scope)")),
    Action("act.searched", _("Register searched")),
    Action("act.mention_recorded", _("Marginal mention recorded")),
    Action("act.batch_loaded", _("Digitised acts loaded")),
    Action("act.identity_checked", _("Birth act compared with a death being written")),
    Action("act.shown_as_duplicate", _("Act shown as a possible duplicate")),
    Action("death_notice.sent", _("Death notified to the office keeping the birth act")),
    Action("death_notice.noted", _("Death notice noted")),
    Action("pre_declaration.filed", _("Pre-declaration filed")),
    Action("pre_declaration.dismissed", _("Pre-declaration dismissed")),
    Action("establishment.api_key_issued", _("Establishment API key issued")),
)
