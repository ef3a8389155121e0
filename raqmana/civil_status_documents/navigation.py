from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import SIGNED_IN, Entry, declare

declare(
    Entry(_("My documents"), "documents:orders", shown_to=SIGNED_IN, order=30),
    Entry(_("Issue a document"), "documents:counter", shown_to="documents.document.issue", order=60),
    Entry(_("Orders to check"), "documents:checks", shown_to="civil_status_documents.order.check", order=70),
)
