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

# Roles whose holders oversee other places rather than work a counter of their own.
SUPERVISOR_ROLES = {Role.PROVINCIAL_INSPECTOR, Role.GOVERNOR_SERVICES, Role.WALI_SERVICES, Role.DGCT}


class RepresentativeCapacity(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal", _("Legal representative")
    AUTHORISED_AGENT = "authorised", _("Authorised agent")


class CodePurpose(models.TextChoices):
    """What a one-time code sent to an email or phone is for."""

    SIGN_UP = "sign_up", _("opening an account")
    PROOF = "proof", _("proving an account's contact")
    PASSWORD_RESET = "password_reset", _("choosing a new password")
