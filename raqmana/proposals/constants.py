"""The proposals channel's states and limits."""

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_COMMENT = 2000
MAX_OUTCOME = 2000
MAX_FILES = 3


class ProposalState(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_STUDY = "under_study", _("Under study")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")


# Adopted or implemented: shown to every collectivity as good practice.
GOOD_PRACTICE_STATES = (ProposalState.ADOPTED, ProposalState.IMPLEMENTED)
# The states in which others still support or comment.
OPEN_STATES = (ProposalState.RECEIVED, ProposalState.UNDER_STUDY, ProposalState.ADOPTED)


class Ordering(models.TextChoices):
    RECENT = "recent", _("Most recent")
    SUPPORTED = "supported", _("Most supported")
