"""Roles, the kind of place each is held for, who appoints whom, and the one table from roles to permissions.

A permission is declared by the app it guards, in its `permissions.py` (`access.registry.declare`); this table is the
only place that says which role holds it. A role held for a place acts there and below: at its unit, or in its
territory and every territory and unit under it (`access.checking`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.territories.constants import LOCAL_LEVELS, PROVINCIAL_LEVELS, Level


class PlaceKind(models.TextChoices):
    OFFICE = "office", _("civil status office")
    COMMUNE = "commune", _("commune or arrondissement")
    PROVINCE = "province", _("province or prefecture")
    REGION = "region", _("region")
    NATIONAL = "national", _("the whole country")


class Role(models.TextChoices):
    CIVIL_STATUS_AGENT = "civil_status_agent", _("Civil status agent")
    CIVIL_STATUS_OFFICER = "civil_status_officer", _("Civil status officer")
    MAIL_REGISTRY_AGENT = "mail_registry_agent", _("Mail registry agent")
    PERMITS_AGENT = "permits_agent", _("Urbanism and permits agent")
    COMMUNE_PRESIDENT = "commune_president", _("Commune president")
    PROVINCIAL_INSPECTOR = "provincial_inspector", _("Provincial civil status inspector")
    GOVERNOR_SERVICES = "governor_services", _("Governor's services")
    WALI_SERVICES = "wali_services", _("Wali's services")
    DGCT = "dgct", _("DGCT (national)")


ROLE_PLACE = {
    Role.CIVIL_STATUS_AGENT: PlaceKind.OFFICE,
    Role.CIVIL_STATUS_OFFICER: PlaceKind.OFFICE,
    Role.MAIL_REGISTRY_AGENT: PlaceKind.COMMUNE,
    Role.PERMITS_AGENT: PlaceKind.COMMUNE,
    Role.COMMUNE_PRESIDENT: PlaceKind.COMMUNE,
    Role.PROVINCIAL_INSPECTOR: PlaceKind.PROVINCE,
    Role.GOVERNOR_SERVICES: PlaceKind.PROVINCE,
    Role.WALI_SERVICES: PlaceKind.REGION,
    Role.DGCT: PlaceKind.NATIONAL,
}

PLACE_LEVELS = {
    PlaceKind.COMMUNE: LOCAL_LEVELS,
    PlaceKind.PROVINCE: PROVINCIAL_LEVELS,
    PlaceKind.REGION: (Level.REGION,),
}

# Who appoints whom, each within the place they hold (the DGCT and superusers appoint anyone anywhere):
# the president delegates the commune's civil status and services to its staff; the governor's services
# record the president; the wali's services the provincial services. Nobody appoints themselves.
GRANTABLE_BY = {
    Role.DGCT: set(Role),
    Role.WALI_SERVICES: {Role.GOVERNOR_SERVICES, Role.PROVINCIAL_INSPECTOR},
    Role.GOVERNOR_SERVICES: {Role.COMMUNE_PRESIDENT},
    Role.COMMUNE_PRESIDENT: {
        Role.CIVIL_STATUS_OFFICER,
        Role.CIVIL_STATUS_AGENT,
        Role.MAIL_REGISTRY_AGENT,
        Role.PERMITS_AGENT,
    },
}

# What each role may do. Reads are scoped by the same permissions (`access.scoping.visible_to(..., permission=...)`):
# the register is read by the office's agents and officer, the commune president (civil status officer by law),
# the provincial inspector who supervises them, and the DGCT; a commune's mail registry agent does not read it.
_COUNTER = {
    "civil_status.act.read",
    "civil_status.act.draft",
    "civil_status.queue.handle",
    "documents.document.read",
    "documents.document.issue",
    "civil_status_documents.order.check",
    "civil_status_documents.copy_elsewhere.read",
    "payments.payment.refund",  # an order refused at the counter is given back
    "portal.workspace.view",
}
ROLE_PERMISSIONS = {
    Role.CIVIL_STATUS_AGENT: frozenset(_COUNTER),
    Role.CIVIL_STATUS_OFFICER: frozenset(
        _COUNTER
        | {
            "civil_status.act.sign",
            "civil_status.act.mention",
            "documents.document.revoke",
            "civil_status_documents.lookup_alert.receive",
            "portal.notification.resend",
        }
    ),
    Role.MAIL_REGISTRY_AGENT: frozenset({"portal.workspace.view"}),
    Role.PERMITS_AGENT: frozenset({"portal.workspace.view"}),
    Role.COMMUNE_PRESIDENT: frozenset(
        {
            "civil_status.act.read",
            "documents.document.read",
            "portal.workspace.view",
            "access.role.grant",
            "portal.notification.resend",
        }
    ),
    Role.PROVINCIAL_INSPECTOR: frozenset(
        {
            "civil_status.act.read",
            "documents.document.read",
            "civil_status_documents.lookup_alert.receive",
            "portal.supervision.view",
        }
    ),
    Role.GOVERNOR_SERVICES: frozenset({"portal.supervision.view", "access.role.grant"}),
    Role.WALI_SERVICES: frozenset(
        {"portal.supervision.view", "access.role.grant", "civil_status_documents.lookup_alert.receive_unanswered"}
    ),
    Role.DGCT: frozenset(
        {
            "civil_status.act.read",
            "documents.document.read",
            "civil_status_documents.lookup_alert.receive_last",
            "portal.supervision.view",
            "access.role.grant",
            "portal.notification.resend",
        }
    ),
}
