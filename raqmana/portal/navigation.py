from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import ADMINISTRATORS, ANYONE, Entry, declare

declare(
    Entry(_("Services"), "portal:home", shown_to=ANYONE, order=10),
    Entry(_("Civil status offices"), "portal:office_finder", shown_to=ANYONE, order=20),
    Entry(_("Workspace"), "portal:workspace", shown_to="portal.workspace.view", order=40),
    Entry(_("Supervision"), "portal:supervision", shown_to="portal.supervision.view", order=80),
    Entry(
        _("Undelivered notifications"),
        "portal:undelivered_notifications",
        shown_to="portal.notification.resend",
        order=85,
    ),
    Entry(_("Administration"), "admin:index", shown_to=ADMINISTRATORS, order=90),
)
