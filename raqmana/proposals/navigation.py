"""The proposals channel's menu entry."""

from django.utils.translation import gettext_lazy as _

from raqmana.kernel.navigation import Entry, declare

declare(Entry(_("Proposals"), "proposals:list", order=82))
