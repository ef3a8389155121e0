"""A request (complaint, observation or suggestion) filed against the services of a collectivity (a commune, a
province or prefecture, a region), numbered in its yearly register, and its log of steps. Never deleted."""

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from raqmana.documents.models import IssuedDocument, KeptFile, documents_storage
from raqmana.kernel.text import CheckedTextModel
from raqmana.territories.models import AdministrativeUnit, Territory
from raqmana.workflows.models import TransitionRecord

from .constants import (
    MAX_REASON,
    MAX_SUBJECT,
    MAX_TEXT,
    OPEN_STATES,
    AnswerOutcome,
    ComplaintCategory,
    ComplaintState,
    Rating,
    RequestKind,
)


class Complaint(CheckedTextModel):
    """A request and its handling: received and numbered at once, qualified (its kind and category checked) and
    forwarded to the competent service, answered by a sealed document or closed as not admissible with reasons,
    then rated, and re-opened once when the complainant is not satisfied. An anonymous observation keeps no link to
    who filed it: it is followed with its number and a code given once (`follow_code_hash`)."""

    kind = models.CharField(_("kind of request"), max_length=12, choices=RequestKind.choices)
    category = models.CharField(_("category"), max_length=16, choices=ComplaintCategory.choices)
    collectivity = models.ForeignKey(
        Territory, verbose_name=_("collectivity concerned"), on_delete=models.PROTECT, related_name="+"
    )
    # The collectivity's own services, in whose register it is numbered.
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("collectivity"), on_delete=models.PROTECT, related_name="complaints"
    )
    service = models.CharField(_("service concerned"), max_length=200, blank=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=200, blank=True)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("complainant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    follow_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    text = models.TextField(_("what happened"), max_length=MAX_TEXT)
    state = models.CharField(_("state"), max_length=16, choices=ComplaintState.choices, default=ComplaintState.RECEIVED)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_text = models.TextField(_("answer"), max_length=MAX_TEXT, blank=True)
    outcome = models.CharField(_("outcome of the answer"), max_length=12, choices=AnswerOutcome.choices, blank=True)
    answer = models.OneToOneField(
        IssuedDocument, verbose_name=_("signed answer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    inadmissible_reasons = models.TextField(_("why it is not admissible"), max_length=MAX_REASON, blank=True)
    rating = models.CharField(_("rating of the answer"), max_length=12, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("re-opened at"), null=True, blank=True)
    # Set when a delay ran out with the request still open: shown in red in every queue, its supervisors told.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # The answer's clock's due time while it runs (workflows: COMPLAINT_WORKFLOW.due), for the queue's order.
    answer_due_at = models.DateTimeField(_("answer due at"), null=True, blank=True, editable=False)

    scope_places = (("collectivity", None),)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="one_complaint_per_unit_year_number")
        ]
        indexes = [
            # The queue and its count: only the open requests, which the handlers work through, nearest delay first;
            # their state and escalation held in the index too, to count one state's or the late ones without
            # reading the rows (PostgreSQL).
            models.Index(
                fields=["collectivity", "answer_due_at"],
                include=["state", "escalated_at"],
                condition=models.Q(state__in=OPEN_STATES),
                name="complaint_open_queue",
            ),
            models.Index(fields=["complainant", "-filed_at"], name="complaint_of_complainant"),
            models.Index(fields=["collectivity", "filed_at"], name="complaint_by_month"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The tracking number: the collectivity's code, the year and the yearly number."""
        return f"{self.collectivity.code}/{self.year}/{self.number}"


def follow_code_hash(complaint_pk: int, code: str) -> str:
    """What is kept of an anonymous observation's follow code: a keyed hash, bound to the request."""
    return salted_hmac(
        "raqmana.complaints.follow", f"{complaint_pk}:{code.strip().upper()}", algorithm="sha256"
    ).hexdigest()


class ComplaintTransition(TransitionRecord):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=ComplaintState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=ComplaintState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_state} → {self.to_state}"


class ComplaintAttachment(KeptFile):
    """A file given with a request (a photograph, a letter), rewritten from its content and found clean by the virus
    scanner before it was kept. Never deleted."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), storage=documents_storage, upload_to="complaints/%Y/%m/")

    class Meta(KeptFile.Meta):
        verbose_name = _("request's file")
        verbose_name_plural = _("requests' files")
