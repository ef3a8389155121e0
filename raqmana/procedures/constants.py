from django.db import models
from django.utils.translation import gettext_lazy as _

# Law 55-19: the longest a decision may take, whatever a procedure's own definition says (rules.maximum_delay_days).
LEGAL_MAXIMUM_DELAY_DAYS = 60
INVESTMENT_MAXIMUM_DELAY_DAYS = 30


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
