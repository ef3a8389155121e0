"""The choices and states of signature legalisation (decree 2-22-047) and certified copies (decree 2-17-410)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The register each office keeps, numbered from 1 every year (kernel.sequences): one for both services, as the
# decree's electronic register is the office's.
LEGALISATION_REGISTER = "legalisation"
MAX_SUBJECT = 200
MAX_REASON = 300
MAX_PAGES = 50
MAX_COPIES = 20


class Service(models.TextChoices):
    SIGNATURE = "signature", _("Legalisation of a signature")
    COPY = "copy", _("Certified copy of an original")


class RequestState(models.TextChoices):
    PREPARED = "prepared", _("Prepared online: to complete at the office")
    COMPLETED = "completed", _("Completed: entered in the register")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = (RequestState.PREPARED,)


class Completion(models.TextChoices):
    """How the officer completed it: the signer or the original before them, or remotely for an enrolled signer."""

    COUNTER = "counter", _("At the counter, in person")
    REMOTE = "remote", _("Remotely, against the enrolled specimen")


class StampPlace(models.TextChoices):
    """Where on the chosen page the stamp goes, as the page is seen."""

    TOP_LEFT = "top_left", _("Top left")
    TOP_CENTRE = "top_centre", _("Top centre")
    TOP_RIGHT = "top_right", _("Top right")
    BOTTOM_LEFT = "bottom_left", _("Bottom left")
    BOTTOM_CENTRE = "bottom_centre", _("Bottom centre")
    BOTTOM_RIGHT = "bottom_right", _("Bottom right")
