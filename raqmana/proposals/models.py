"""A proposal of an official to ease the dematerialisation of a procedure, its steps, the comments and supports of
other officials, and its files. Never deleted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.documents.models import KeptFile, documents_storage
from raqmana.kernel.text import CheckedTextModel
from raqmana.procedures.models import Procedure
from raqmana.territories.models import Territory
from raqmana.workflows.models import TransitionRecord

from .constants import MAX_COMMENT, MAX_OUTCOME, MAX_TEXT, MAX_TITLE, ProposalState


class Proposal(CheckedTextModel):
    """What an official of a collectivity proposes (the problem, the proposal), linked to the procedure of the
    catalogue it concerns when there is one; moved by the DGCT through its study to adoption or rejection (with
    reasons), then to its implementation, each outcome published."""

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="proposals"
    )
    collectivity = models.ForeignKey(
        Territory, verbose_name=_("collectivity"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Territory, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    problem = models.TextField(_("the problem"), max_length=MAX_TEXT)
    proposal = models.TextField(_("the proposal"), max_length=MAX_TEXT)
    state = models.CharField(_("state"), max_length=12, choices=ProposalState.choices, default=ProposalState.RECEIVED)
    outcome = models.TextField(_("the DGCT's outcome"), max_length=MAX_OUTCOME, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="proposals_by_state"),
            models.Index(fields=["region", "submitted_at"], name="proposals_by_region"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"P-{self.pk}"


class ProposalTransition(TransitionRecord):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=12, choices=ProposalState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ProposalState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_state} → {self.to_state}"


class Comment(CheckedTextModel):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    collectivity = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=MAX_COMMENT)
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.text[:40]}"


class Support(models.Model):
    """An official's support of a proposal: once each, never their own."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="supports")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    collectivity = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "supporter"], name="one_support_per_official")]

    def __str__(self) -> str:
        return f"{self.proposal_id} ← {self.supporter_id}"


class ProposalFile(KeptFile):
    """A file given with a proposal (a form today, a screenshot), rewritten from its content and found clean."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), storage=documents_storage, upload_to="proposals/%Y/%m/")

    class Meta(KeptFile.Meta):
        verbose_name = _("proposal's file")
        verbose_name_plural = _("proposals' files")
