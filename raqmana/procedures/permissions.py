from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

from .constants import OPINION_PERMISSIONS, CommissionMember

declare(
    Permission(
        "procedures.dossier.read",
        _("Read the dossiers filed with the office"),
        _("Only the staff of the competent office and those who supervise it read its dossiers."),
    ),
    Permission(
        "procedures.dossier.review",
        _("Review dossiers: take them up, ask for corrections, write to the applicant"),
        _("Only the agents of the competent office review its dossiers."),
        superusers=False,
    ),
    Permission(
        "procedures.construction_tax.set",
        _("Set the commune's construction tax rates"),
        _("Only the commune president sets its construction tax rates."),
        superusers=False,
    ),
    Permission(
        "procedures.dossier.decide",
        _("Approve or refuse dossiers"),
        _("Only the president of the project's commune decides, whichever window received the dossier."),
        superusers=False,
    ),
)

declare(
    *(
        Permission(
            OPINION_PERMISSIONS[member],
            format_lazy("{}: {}", _("Give the commission's opinion for"), member.label),
            _("Only the representatives of this member of the commission give its opinion."),
            superusers=False,
        )
        for member in CommissionMember
    )
)
