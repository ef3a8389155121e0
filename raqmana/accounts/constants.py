from django.db import models
from django.utils.translation import gettext_lazy as _


class RepresentativeCapacity(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal", _("Legal representative")
    AUTHORISED_AGENT = "authorised", _("Authorised agent")


class CodePurpose(models.TextChoices):
    """What a one-time code sent to an email or phone is for."""

    SIGN_UP = "sign_up", _("opening an account")
    PROOF = "proof", _("proving an account's contact")
    PASSWORD_RESET = "password_reset", _("choosing a new password")
