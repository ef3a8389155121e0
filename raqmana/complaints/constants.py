"""The complaints' choices and states (decree 2-17-265)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The register in which each collectivity numbers, every year, the requests it receives (kernel.sequences).
COMPLAINT_REGISTER = "complaints"


class RequestKind(models.TextChoices):
    """The three kinds of request decree 2-17-265 receives."""

    COMPLAINT = "complaint", _("Complaint")
    OBSERVATION = "observation", _("Observation")
    SUGGESTION = "suggestion", _("Suggestion")


class CollectivityLevel(models.TextChoices):
    """Whose services a request is against, from the complainant's commune: its own, its province's or prefecture's,
    its region's (each collectivity deals with the requests against its services)."""

    COMMUNE = "commune", _("The commune")
    PROVINCE = "province", _("Its province or prefecture")
    REGION = "region", _("Its region")


class ComplaintCategory(models.TextChoices):
    CIVIL_STATUS = "civil_status", _("Civil status and certified documents")
    URBANISM = "urbanism", _("Urbanism and permits")
    CLEANLINESS = "cleanliness", _("Cleanliness, waste and hygiene")
    ROADS = "roads", _("Roads, lighting and traffic")
    MARKETS = "markets", _("Markets, trade and licences")
    TAXES = "taxes", _("Local taxes and fees")
    RECEPTION = "reception", _("Reception and conduct of staff")
    OTHER = "other", _("Other")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Received")
    FORWARDED = "forwarded", _("Forwarded to the competent service")
    ANSWERED = "answered", _("Answered")
    NOT_ADMISSIBLE = "not_admissible", _("Closed: not admissible")
    REOPENED = "reopened", _("Re-opened by the complainant")


# The states in which a request awaits the administration.
OPEN_STATES = (ComplaintState.RECEIVED, ComplaintState.FORWARDED, ComplaintState.REOPENED)


class AnswerOutcome(models.TextChoices):
    """What the answer gives the complainant."""

    FAVOURABLE = "favourable", _("Favourable")
    PARTLY = "partly", _("Partly favourable")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


MAX_FILES = 3
MAX_TEXT = 5000
MAX_SUBJECT = 200
MAX_REASON = 2000
