from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Law 55-19: the longest a decision may take, whatever a procedure's own definition says (rules.maximum_delay_days).
LEGAL_MAXIMUM_DELAY_DAYS = 60
INVESTMENT_MAXIMUM_DELAY_DAYS = 30

# How often an account may ask the register for its civil status link, on the page and through the API together: a
# known IDCS must not let anyone try birth dates at will.
LINK_RATE = "20/h"
LINK_RATE_GROUP = "procedures.civil_status_link"

# The register numbering dossiers and their receipts, per competent unit and year (kernel.sequences).
DOSSIER_REGISTER = "procedures.dossier"


class DocumentForm(models.TextChoices):
    """In what form a procedure asks the applicant for a document."""

    ELECTRONIC = "electronic", _("the document as a file")
    SCANNED_ORIGINAL = "scanned_original", _("a scan of the original")
    CERTIFIED_COPY = "certified_copy", _("a certified copy")
    LEGALISED_SIGNATURE = "legalised_signature", _("with the signature legalised")


class DocumentSource(models.TextChoices):
    """Who holds a document: the applicant uploads it, or an administration holds it and the platform pulls it."""

    APPLICANT = "applicant", _("the applicant")
    CIVIL_STATUS_REGISTER = "civil_status_register", _("the civil status register")
    ANOTHER_ADMINISTRATION = "another_administration", _("another administration")


class Filer(models.TextChoices):
    """Who may file a procedure's dossier."""

    CITIZEN = "citizen", _("a citizen, in their own name")
    ENTERPRISE = "enterprise", _("an enterprise, through its representative")


class Category(models.TextChoices):
    URBANISM = "urbanism", _("Urbanism and building")
    ECONOMIC_ACTIVITY = "economic_activity", _("Economic activities")
    PUBLIC_DOMAIN = "public_domain", _("Public domain")


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", pgettext_lazy("dossier state", "Filed")
    UNDER_REVIEW = "under_review", _("Under review")
    INFORMATION_REQUESTED = "information_requested", _("More information requested")
    AWAITING_PAYMENT = "awaiting_payment", _("Approved: the construction tax is awaited")
    APPROVED = "approved", _("Approved")
    APPROVED_BY_SILENCE = "approved_by_silence", _("Approved: no answer within the legal delay")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Draft expired")


# The states in which the administration owes a decision, and its clock runs (or waits for the applicant).
PENDING_STATES = (DossierState.FILED, DossierState.UNDER_REVIEW, DossierState.INFORMATION_REQUESTED)
DECIDED_STATES = (DossierState.APPROVED, DossierState.APPROVED_BY_SILENCE, DossierState.REFUSED)


class CorrectionReason(models.TextChoices):
    """Why an agent asks the applicant to correct or complete a dossier."""

    INCORRECT = "incorrect", _("incorrect")
    INCOMPLETE = "incomplete", _("incomplete")
    OUTDATED = "outdated", _("outdated")


class CommissionMember(models.TextChoices):
    """The bodies sitting in the commission that examines large projects; each gives its own opinion."""

    COMMUNE = "commune", _("The commune")
    PROVINCE = "province", _("The province or prefecture (governor's services)")
    URBAN_AGENCY = "urban_agency", _("The urban agency")
    LAND_REGISTRY = "land_registry", _("The land registry (ANCFCC)")
    CIVIL_PROTECTION = "civil_protection", _("Civil protection")
    UTILITIES = "utilities", _("The water and electricity utility")


# Each member's opinion is given by the holders of its own permission at the project's commune (access.roles).
OPINION_PERMISSIONS = {member: f"procedures.opinion.{member.value}" for member in CommissionMember}
# The members every commission has; the definition adds others where the project calls for them.
PERMANENT_MEMBERS = (CommissionMember.COMMUNE, CommissionMember.PROVINCE, CommissionMember.URBAN_AGENCY)
# Law 12-90's implementing decree (general construction regulation): each member's delay, in working days, and the
# delay within which a large project's file reaches the commission.
OPINION_DELAY_WORKING_DAYS = 15
REFERRAL_DELAY_WORKING_DAYS = 3


class OpinionState(models.TextChoices):
    REQUESTED = "requested", _("Awaited")
    LAPSED = "lapsed", _("Not given within the delay")
    GIVEN = "given", _("Given")
    CLOSED = "closed", _("No longer awaited: the dossier was decided or withdrawn")


class Verdict(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    CONDITIONAL = "conditional", _("Favourable with conditions")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


class TaxedUse(models.TextChoices):
    """The categories of the construction tax (Law 47-06), each with its own range of rates per m²."""

    INDIVIDUAL_HOUSING = "individual_housing", _("Individual housing")
    COLLECTIVE_OR_BUSINESS = (
        "collective",
        _("Collective housing, commercial, industrial, professional or administrative"),
    )


# The fee code of each category in payments: the commune's rate per m² of covered floor area.
CONSTRUCTION_TAX_FEES = {
    TaxedUse.INDIVIDUAL_HOUSING: "construction_tax_individual",
    TaxedUse.COLLECTIVE_OR_BUSINESS: "construction_tax_collective",
}
