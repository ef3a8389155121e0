"""A letter registered by a commune's mail registry: incoming or outgoing, numbered in its register of the year,
routed to a service, answered by an outgoing letter, linked to what it concerns. Never deleted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.complaints.models import Complaint
from raqmana.documents.models import KeptFile, documents_storage
from raqmana.kernel.text import CheckedTextModel
from raqmana.procedures.models import Dossier
from raqmana.territories.models import AdministrativeUnit, Territory

from .constants import MAX_NAME, MAX_SUBJECT, PREFIXES, Direction


class MailEntry(CheckedTextModel):
    """One letter in the register. An incoming letter may wait for an answer by a date; the outgoing letter that
    answers it names it (`in_reply_to`). A confidential letter's subject and files are read only by those who
    handle confidential mail."""

    commune = models.ForeignKey(Territory, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("collectivity"), on_delete=models.PROTECT, related_name="mail"
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    letter_date = models.DateField(_("date of the letter"), null=True, blank=True)
    correspondent = models.CharField(_("sender or recipient"), max_length=MAX_NAME)
    correspondent_reference = models.CharField(_("their reference"), max_length=60, blank=True)
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    confidential = models.BooleanField(_("confidential"), default=False)
    routed_to = models.CharField(_("routed to the service"), max_length=MAX_NAME, blank=True)
    answer_due_on = models.DateField(_("answer due by"), null=True, blank=True)
    in_reply_to = models.OneToOneField(
        "self",
        verbose_name=_("answers the letter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_by",
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier concerned"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_places = (("commune", "unit"),)

    class Meta:
        verbose_name = _("registered letter")
        verbose_name_plural = _("registered letters")
        ordering = ["-registered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "direction", "year", "number"], name="one_letter_per_register_year_number"
            )
        ]
        indexes = [
            models.Index(fields=["commune", "registered_at"], name="mail_by_day"),
            models.Index(fields=["commune", "direction", "year", "number"], name="mail_by_number"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The registry number as written on the letter: A (incoming) or D (outgoing), the year, the number."""
        return f"{PREFIXES[Direction(self.direction)]}-{self.year}/{self.number}"


class MailFile(KeptFile):
    """The scan of a letter (or its enclosures), rewritten from its content and found clean before it was kept."""

    entry = models.ForeignKey(MailEntry, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), storage=documents_storage, upload_to="mail/%Y/%m/")

    class Meta(KeptFile.Meta):
        verbose_name = _("scanned letter")
        verbose_name_plural = _("scanned letters")
