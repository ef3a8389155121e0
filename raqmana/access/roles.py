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
    COLLECTIVITY = "collectivity", _("commune, province or prefecture, or region")
    PROVINCE = "province", _("province or prefecture")
    REGION = "region", _("region")
    NATIONAL = "national", _("the whole country")


class Role(models.TextChoices):
    CIVIL_STATUS_AGENT = "civil_status_agent", _("Civil status agent")
    CIVIL_STATUS_OFFICER = "civil_status_officer", _("Civil status officer")
    MAIL_REGISTRY_AGENT = "mail_registry_agent", _("Mail registry agent")
    LEGALISATION_OFFICER = "legalisation_officer", _("Legalisation officer (signatures and certified copies)")
    COMPLAINTS_HANDLER = "complaints_handler", _("Complaints handler")
    COMPLAINTS_SUPERVISOR = "complaints_supervisor", _("Complaints supervisor")
    PERMITS_AGENT = "permits_agent", _("Urbanism and permits agent")
    URBAN_AGENCY_AGENT = "urban_agency_agent", _("Urban agency agent (permits commission)")
    LAND_REGISTRY_AGENT = "land_registry_agent", _("Land registry agent (permits commission)")
    CIVIL_PROTECTION_AGENT = "civil_protection_agent", _("Civil protection officer (permits commission)")
    UTILITIES_AGENT = "utilities_agent", _("Water and electricity utility agent (permits commission)")
    COMMUNE_PRESIDENT = "commune_president", _("Commune president")
    PROVINCIAL_INSPECTOR = "provincial_inspector", _("Provincial civil status inspector")
    GOVERNOR_SERVICES = "governor_services", _("Governor's services")
    WALI_SERVICES = "wali_services", _("Wali's services")
    DGCT = "dgct", _("DGCT (national)")


ROLE_PLACE = {
    Role.CIVIL_STATUS_AGENT: PlaceKind.OFFICE,
    Role.CIVIL_STATUS_OFFICER: PlaceKind.OFFICE,
    Role.MAIL_REGISTRY_AGENT: PlaceKind.COMMUNE,
    Role.LEGALISATION_OFFICER: PlaceKind.OFFICE,
    # Each collectivity deals with the requests against its own services (decree 2-17-265).
    Role.COMPLAINTS_HANDLER: PlaceKind.COLLECTIVITY,
    Role.COMPLAINTS_SUPERVISOR: PlaceKind.COLLECTIVITY,
    Role.PERMITS_AGENT: PlaceKind.COMMUNE,
    # The commission's outside members: each agency serves the communes of a province or prefecture.
    Role.URBAN_AGENCY_AGENT: PlaceKind.PROVINCE,
    Role.LAND_REGISTRY_AGENT: PlaceKind.PROVINCE,
    Role.CIVIL_PROTECTION_AGENT: PlaceKind.PROVINCE,
    Role.UTILITIES_AGENT: PlaceKind.PROVINCE,
    Role.COMMUNE_PRESIDENT: PlaceKind.COMMUNE,
    Role.PROVINCIAL_INSPECTOR: PlaceKind.PROVINCE,
    Role.GOVERNOR_SERVICES: PlaceKind.PROVINCE,
    Role.WALI_SERVICES: PlaceKind.REGION,
    Role.DGCT: PlaceKind.NATIONAL,
}

PLACE_LEVELS = {
    PlaceKind.COMMUNE: LOCAL_LEVELS,
    PlaceKind.COLLECTIVITY: (*LOCAL_LEVELS, *PROVINCIAL_LEVELS, Level.REGION),
    PlaceKind.PROVINCE: PROVINCIAL_LEVELS,
    PlaceKind.REGION: (Level.REGION,),
}

# Who appoints whom, each within the place they hold (the DGCT and superusers appoint anyone anywhere):
# the president delegates the commune's civil status and services to its staff; the governor's services
# record the president; the wali's services the provincial services; the governor's and the wali's services
# appoint the complaint handlers and supervisors of the province's and the region's services. Nobody appoints
# themselves.
GRANTABLE_BY = {
    Role.DGCT: set(Role),
    Role.WALI_SERVICES: {
        Role.COMPLAINTS_HANDLER,
        Role.COMPLAINTS_SUPERVISOR,
        Role.GOVERNOR_SERVICES,
        Role.PROVINCIAL_INSPECTOR,
        Role.URBAN_AGENCY_AGENT,
        Role.LAND_REGISTRY_AGENT,
        Role.CIVIL_PROTECTION_AGENT,
        Role.UTILITIES_AGENT,
    },
    Role.GOVERNOR_SERVICES: {Role.COMMUNE_PRESIDENT, Role.COMPLAINTS_HANDLER, Role.COMPLAINTS_SUPERVISOR},
    Role.COMMUNE_PRESIDENT: {
        Role.CIVIL_STATUS_OFFICER,
        Role.CIVIL_STATUS_AGENT,
        Role.MAIL_REGISTRY_AGENT,
        Role.LEGALISATION_OFFICER,
        Role.COMPLAINTS_HANDLER,
        Role.COMPLAINTS_SUPERVISOR,
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
# Every official of a collectivity (and the DGCT, which answers them) takes part in the proposals channel.
_PROPOSALS = {"proposals.proposal.take_part"}
ROLE_PERMISSIONS = {
    Role.CIVIL_STATUS_AGENT: frozenset(_COUNTER | _PROPOSALS),
    Role.CIVIL_STATUS_OFFICER: frozenset(
        _COUNTER
        | _PROPOSALS
        | {
            "civil_status.act.sign",
            "civil_status.act.mention",
            "documents.document.revoke",
            "civil_status_documents.lookup_alert.receive",
            "portal.notification.resend",
        }
    ),
    Role.MAIL_REGISTRY_AGENT: frozenset(
        _PROPOSALS
        | {
            "portal.workspace.view",
            "mail_registry.letter.read",
            "mail_registry.letter.register",
            "mail_registry.letter.confidential",
        }
    ),
    # The president's delegate at a legalisation office: enrols signers, legalises, certifies, keeps the register.
    Role.LEGALISATION_OFFICER: frozenset(
        _PROPOSALS
        | {
            "portal.workspace.view",
            "legalisation.request.read",
            "legalisation.request.handle",
        }
    ),
    Role.COMPLAINTS_HANDLER: frozenset(
        _PROPOSALS
        | {
            "portal.workspace.view",
            "complaints.complaint.read",
            "complaints.complaint.handle",
            "mail_registry.letter.read",
        }
    ),
    # The commune's supervisor deals with the requests too, and is told of those left beyond their delay.
    Role.COMPLAINTS_SUPERVISOR: frozenset(
        _PROPOSALS
        | {
            "portal.workspace.view",
            "complaints.complaint.read",
            "complaints.complaint.handle",
            "complaints.complaint.supervise",
            "mail_registry.letter.read",
        }
    ),
    Role.PERMITS_AGENT: frozenset(
        _PROPOSALS
        | {
            "portal.workspace.view",
            "procedures.dossier.read",
            "procedures.dossier.review",
            "procedures.opinion.commune",
            "mail_registry.letter.read",
        }
    ),
    Role.URBAN_AGENCY_AGENT: frozenset({"portal.workspace.view", "procedures.opinion.urban_agency"}),
    Role.LAND_REGISTRY_AGENT: frozenset({"portal.workspace.view", "procedures.opinion.land_registry"}),
    Role.CIVIL_PROTECTION_AGENT: frozenset({"portal.workspace.view", "procedures.opinion.civil_protection"}),
    Role.UTILITIES_AGENT: frozenset({"portal.workspace.view", "procedures.opinion.utilities"}),
    Role.COMMUNE_PRESIDENT: frozenset(
        _PROPOSALS
        | {
            "procedures.dossier.read",
            "procedures.dossier.decide",
            "procedures.opinion.commune",
            "procedures.construction_tax.set",
            "complaints.complaint.read",
            "mail_registry.letter.read",
            "mail_registry.letter.confidential",
            "legalisation.request.read",
            "civil_status.act.read",
            "documents.document.read",
            "portal.workspace.view",
            "access.role.grant",
            "portal.notification.resend",
        }
    ),
    Role.PROVINCIAL_INSPECTOR: frozenset(
        _PROPOSALS
        | {
            "civil_status.act.read",
            "documents.document.read",
            "civil_status_documents.lookup_alert.receive",
            "portal.supervision.view",
        }
    ),
    # The governor's services run the provincial single window of the communes of 50,000 inhabitants or fewer; the
    # president of the project's commune decides (Law 12-90: the president delivers the permit).
    Role.GOVERNOR_SERVICES: frozenset(
        _PROPOSALS
        | {
            "portal.supervision.view",
            "access.role.grant",
            "procedures.dossier.read",
            "procedures.dossier.review",
            "procedures.opinion.province",
            "complaints.complaint.read",
            "complaints.complaint.supervise",
        }
    ),
    Role.WALI_SERVICES: frozenset(
        _PROPOSALS
        | {"portal.supervision.view", "access.role.grant", "civil_status_documents.lookup_alert.receive_unanswered"}
    ),
    Role.DGCT: frozenset(
        _PROPOSALS
        | {
            "civil_status.act.read",
            "documents.document.read",
            "civil_status_documents.lookup_alert.receive_last",
            "complaints.complaint.read",
            "portal.supervision.view",
            "access.role.grant",
            "portal.notification.resend",
            "proposals.proposal.decide",
        }
    ),
}
