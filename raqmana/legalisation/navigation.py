"""The legalisation's menu entries."""

from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import Entry, declare

declare(
    Entry(_("My legalisations"), "legalisation:mine", order=36),
    Entry(_("Legalisation office"), "legalisation:queue", order=79),
)
