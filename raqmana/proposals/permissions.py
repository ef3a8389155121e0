from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "proposals.proposal.take_part",
        _("Propose, comment and support proposals to dematerialise procedures"),
        _("Only the officials of a collectivity take part in the proposals channel."),
        superusers=False,
    ),
    Permission(
        "proposals.proposal.decide",
        _("Study proposals, adopt or reject them and publish their outcome"),
        _("Only the DGCT decides on proposals."),
    ),
)
