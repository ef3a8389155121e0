from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import Entry, declare

declare(
    Entry(_("Pre-declarations"), "civil_status:pre_declarations", order=45),
    Entry(_("Civil status"), "civil_status:queue", order=50),
)
