from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import ADMINISTRATORS, Entry, declare

declare(
    Entry(_("Services"), "portal:home", order=10),
    Entry(_("Civil status offices"), "portal:office_finder", order=20),
    Entry(_("Workspace"), "portal:workspace", order=40),
    Entry(_("Supervision"), "portal:supervision", order=80),
    Entry(_("Undelivered notifications"), "portal:undelivered_notifications", order=85),
    Entry(_("Administration"), "admin:index", order=90, shown_to=ADMINISTRATORS),  # Django's admin site
)
