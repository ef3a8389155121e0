from django.utils.translation import gettext_lazy as _

from raqmana.access.registry import Permission, declare

declare(
    Permission(
        "complaints.complaint.read",
        _("Read the complaints, observations and suggestions filed with the collectivity"),
        _("Only the collectivity's complaint handlers and those who supervise them read its requests."),
    ),
    Permission(
        "complaints.complaint.handle",
        _("Qualify, forward and answer requests, or close them as not admissible"),
        _("Only the collectivity's complaint handlers deal with its requests."),
        superusers=False,
    ),
    Permission(
        "complaints.complaint.supervise",
        _("Be told of the requests left beyond their delay"),
        _("Only the supervisors of the collectivity's requests and the province's services follow the late ones."),
        superusers=False,
    ),
)
