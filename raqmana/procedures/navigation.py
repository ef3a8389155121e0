"""The procedures' menu entries, and the audience of the commission's pages: its members.

A member of the commission is whoever holds the permission of one of its members (`constants.OPINION_PERMISSIONS`)
somewhere. `access.audiences.open_to` takes one permission, not any of several: the members are registered as an
organisation (`access.registry.acts_for_an_organisation`), whose test asks the permissions, so that the
"Commission" entry is shown exactly to those its pages let in. They all hold roles, so they were agents already.
The public figures are linked from the catalogue rather than the menu, which stays short (`portal.menu`)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from raqmana.access.checking import has_permission
from raqmana.access.registry import acts_for_an_organisation
from raqmana.kernel.navigation import Entry, declare

from .constants import OPINION_PERMISSIONS

COMMISSION_MEMBERS = "procedures.commission.member"
NOT_A_MEMBER = _("Only the representatives of the commission's members read the dossiers before it.")


@acts_for_an_organisation(COMMISSION_MEMBERS, NOT_A_MEMBER)
def sits_in_a_commission(user: Any) -> bool:
    """Whether the user represents a member of the commission somewhere."""
    return any(has_permission(user, permission) for permission in OPINION_PERMISSIONS.values())


declare(
    Entry(_("Procedures"), "procedures:catalogue", order=25),
    Entry(_("My dossiers"), "procedures:dossiers", order=32),
    Entry(_("Dossiers to decide"), "procedures:queue", order=75),
    Entry(_("Commission"), "procedures:opinions", order=76),
)
