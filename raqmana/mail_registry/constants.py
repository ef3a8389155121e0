"""The mail registry's choices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


# Each commune numbers its incoming and its outgoing mail in two registers, each from 1 every year
# (kernel.sequences: no gap, one number for one letter however many register at once).
REGISTERS = {Direction.INCOMING: "mail_incoming", Direction.OUTGOING: "mail_outgoing"}
PREFIXES = {Direction.INCOMING: "A", Direction.OUTGOING: "D"}  # arrivée, départ: as the paper registers are marked

MAX_SUBJECT = 300
MAX_NAME = 200
MAX_FILES = 3
SEARCH_LIMIT = 200
