from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import Entry, declare

declare(
    Entry(_("My documents"), "documents:orders", order=30),
    Entry(_("Issue a document"), "documents:counter", order=60),
    Entry(_("Orders to check"), "documents:checks", order=70),
)
