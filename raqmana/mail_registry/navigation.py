"""The mail registry's menu entry."""

from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import Entry, declare

declare(Entry(_("Mail registry"), "mail_registry:search", order=74))
