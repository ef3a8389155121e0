from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

declare(
    Action("mail.registered", _("Letter registered in the mail registry")),
    Action("mail.file_read", _("Scan of a registered letter opened")),
)
