"""The complaints' menu entries."""

from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import Entry, declare

declare(
    Entry(_("My complaints"), "complaints:mine", order=34),
    Entry(_("Requests to answer"), "complaints:queue", order=78),
)
