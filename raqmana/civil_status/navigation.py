from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import Entry, declare

declare(
    Entry(_("Civil status"), "civil_status:queue", shown_to="civil_status.queue.handle", order=50),
)
