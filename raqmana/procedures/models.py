from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.accounts.models import Enterprise
from raqmana.documents.models import IssuedDocument, KeptFile, documents_storage
from raqmana.kernel import reference_data
from raqmana.kernel.scanning import ScanState
from raqmana.kernel.text import CheckedTextModel
from raqmana.payments.models import Payment
from raqmana.territories.constants import UnitKind
from raqmana.territories.models import AdministrativeUnit, Territory
from raqmana.workflows.models import TransitionRecord

from .constants import Category, CommissionMember, CorrectionReason, DossierState, OpinionState, Verdict
from .formdefs import FormDefinition, in_language, parse_definition

# The set of reference data the catalogue's procedures are cached under (`workflows.lock_dossier` reads them there).
PROCEDURES = "procedures"


class ProcedureQuerySet(models.QuerySet):
    """Procedures, whose writes in bulk also draw a new version of the cached ones (a save or a delete does, through
    the signals of `apps.py`)."""

    def update(self, **kwargs):
        updated = super().update(**kwargs)
        reference_data.changed(PROCEDURES)
        return updated

    def bulk_update(self, objs, fields, batch_size=None):
        updated = super().bulk_update(objs, fields, batch_size=batch_size)
        reference_data.changed(PROCEDURES)
        return updated


class Procedure(CheckedTextModel):
    """A procedure of the catalogue: what it is, its legal basis, who decides and within what delay, who may file,
    and its form (the current `ProcedureVersion`). Only a published procedure can be filed; nothing is deleted."""

    objects = ProcedureQuerySet.as_manager()

    code = models.SlugField(_("code"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_ar = models.TextField(_("description (Arabic)"))
    description_fr = models.TextField(_("description (French)"))
    description_en = models.TextField(_("description (English)"))
    legal_basis_ar = models.CharField(_("legal basis (Arabic)"), max_length=300)
    legal_basis_fr = models.CharField(_("legal basis (French)"), max_length=300)
    legal_basis_en = models.CharField(_("legal basis (English)"), max_length=300)
    competent_unit_kind = models.CharField(
        _("competent office"), max_length=30, choices=UnitKind.choices, default=UnitKind.URBANISM_SERVICE
    )
    citizens_may_file = models.BooleanField(_("citizens may file"), default=True)
    enterprises_may_file = models.BooleanField(_("enterprises may file"), default=True)
    delay_days = models.PositiveSmallIntegerField(_("maximum delay (days, as its text says)"))
    delay_in_working_days = models.BooleanField(_("the delay counts working days"), default=False)
    investment_project = models.BooleanField(_("an investment project (30 days at most)"), default=False)
    silence_means_approval = models.BooleanField(_("silence means approval (decree 2-22-141)"), default=False)
    through_commission = models.BooleanField(_("reviewed by a commission"), default=False)
    published = models.BooleanField(_("published"), default=False)
    current_version = models.ForeignKey(
        "ProcedureVersion",
        verbose_name=_("form in force"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("order in the catalogue"), default=100)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["category", "order", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language({"ar": self.title_ar, "fr": self.title_fr, "en": self.title_en})

    @property
    def description(self) -> str:
        return in_language({"ar": self.description_ar, "fr": self.description_fr, "en": self.description_en})

    @property
    def legal_basis(self) -> str:
        return in_language({"ar": self.legal_basis_ar, "fr": self.legal_basis_fr, "en": self.legal_basis_en})


# The forms parsed in this process, by version (ProcedureVersion.form): a few dozen procedures, a few versions each.
PARSED_FORMS: dict[tuple[int, object], FormDefinition] = {}
MAX_PARSED_FORMS = 1000


class ProcedureVersion(models.Model):
    """One published state of a procedure's form (`formdefs`): never changed once saved, so that a dossier keeps
    the form it was filed with. A new version is added when its file's version rises or an administrator edits it."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    source = models.CharField(_("source"), max_length=200)  # the file it was loaded from, or "admin"
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["procedure", "-number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="one_procedure_version_per_number")]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    @property
    def form(self) -> FormDefinition:
        """The definition parsed (checked when the version was saved), kept in the process: a version never changes
        once saved (its id and time of creation name it)."""
        key = (self.pk, self.created_at)
        parsed = PARSED_FORMS.get(key) if self.pk is not None else None
        if parsed is None:
            parsed = parse_definition(self.definition)
            if self.pk is not None and len(PARSED_FORMS) < MAX_PARSED_FORMS:
                PARSED_FORMS[key] = parsed
        return parsed


class AgentGroup(CheckedTextModel):
    """A team of a single window's agents, and the dossiers routed to it (`routing.group_for`): those of its
    communes, of its procedure, whose answer to a field is one of the values named, each when given; the first
    group that matches, by `order`, takes the dossier, else the unit's default group."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="agent_groups")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="agent_groups")
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_default = models.BooleanField(_("takes what no other group takes"), default=False)
    communes = models.ManyToManyField(Territory, verbose_name=_("communes"), blank=True, related_name="+")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    field_key = models.CharField(_("field"), max_length=40, blank=True)
    field_values = models.JSONField(_("answers"), default=list, blank=True)

    class Meta:
        verbose_name = _("agent group")
        verbose_name_plural = _("agent groups")
        ordering = ["unit", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(is_default=True), name="one_default_group_per_unit"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Dossier(CheckedTextModel):
    """An application under a procedure: a draft until filed, then numbered in the competent unit's register, with
    its receipt, its clock (`workflows.py`) and, once decided, its decision. Never deleted."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="dossiers"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    commune = models.ForeignKey(
        Territory, verbose_name=_("commune of the project"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("competent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    state = models.CharField(_("state"), max_length=24, choices=DossierState.choices, default=DossierState.DRAFT)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    filed_online = models.BooleanField(_("filed online"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    expiry_warned_at = models.DateTimeField(_("draft expiry warned at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # What the procedure said when the dossier was filed: a later change of its definition does not move its delay.
    delay_days = models.PositiveSmallIntegerField(_("legal delay (days)"), null=True, blank=True)
    delay_in_working_days = models.BooleanField(_("the delay counts working days"), default=False)
    silence_means_approval = models.BooleanField(_("silence means approval"), default=False)
    group = models.ForeignKey(
        AgentGroup, verbose_name=_("agent group"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    decision_reasons = models.TextField(_("reasons of the decision"), blank=True)
    referred_at = models.DateTimeField(_("referred to the commission at"), null=True, blank=True)
    # The decision's clock's due time while it runs (workflows: DOSSIER_WORKFLOW.due), for the queue's order.
    decision_due_at = models.DateTimeField(_("decision due at"), null=True, blank=True, editable=False)
    # The construction tax (Law 47-06), computed at the approval; paid before the permit is released.
    tax_amount = models.DecimalField(
        _("construction tax (MAD)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    tax_exemption = models.CharField(_("exempt from the construction tax, because"), max_length=300, blank=True)
    payment = models.OneToOneField(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.OneToOneField(
        IssuedDocument, verbose_name=_("receipt"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.OneToOneField(
        IssuedDocument, verbose_name=_("decision"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_places = (("unit__territory", "unit"),)
    # Not a column: the files a filing read with the locked row (selectors.hold_kept_files).
    held_files: "list[Attachment] | None" = None

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="one_dossier_per_unit_year_number")
        ]
        indexes = [
            models.Index(fields=["unit", "state", "decision_due_at"], name="dossier_queue"),
            models.Index(fields=["applicant", "-created_at"], name="dossier_of_applicant"),
            models.Index(fields=["state", "updated_at"], name="dossier_state_change"),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft %(pk)s") % {"pk": self.pk}

    @property
    def reference(self) -> str:
        """The dossier's number as its receipt prints it (its unit's code, year and yearly number)."""
        if self.number is None or self.unit_id is None:
            return ""
        return f"{self.unit.code}/{self.year}/{self.number}"


class DossierTransition(TransitionRecord):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=24, choices=DossierState.choices, blank=True)
    to_state = models.CharField(max_length=24, choices=DossierState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.from_state} → {self.to_state}"


class Attachment(models.Model):
    """A file given for one file field of a dossier (`path`: its key, "lots.2.plan" in a repeatable block), rewritten
    from its content and kept pending until the virus scanner finds it clean. Never deleted: one taken off a draft
    is marked `removed_at`, one found infected loses its bytes and keeps its row."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="attachments")
    path = models.CharField(_("field"), max_length=120)
    file = models.FileField(_("file"), storage=documents_storage, upload_to="dossiers/%Y/%m/", blank=True)
    name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(_("type"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    scan = models.CharField(_("virus scan"), max_length=10, choices=ScanState.choices, default=ScanState.PENDING)
    scan_signature = models.CharField(_("what the scanner found"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["scan", "uploaded_at"], name="attachment_scan")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_scan_display()})"


class DossierMessage(CheckedTextModel):
    """A message between the applicant and the office on a dossier, or an agent's private note (`private`: never
    shown to the applicant). A correction request carries its reason and pauses the dossier's clock."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_office = models.BooleanField(_("from the office"))
    private = models.BooleanField(_("private note"), default=False)
    correction = models.CharField(_("correction asked"), max_length=12, choices=CorrectionReason.choices, blank=True)
    body = models.TextField(_("message"), max_length=5000)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.at:%Y-%m-%d %H:%M}"


class WindowOverride(CheckedTextModel):
    """Where a commune's dossiers go when not where its population sends them (`routing.competent_unit`): a commune
    of more than 50,000 inhabitants not yet able to run its own single window, or a smaller one that runs one."""

    commune = models.OneToOneField(Territory, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("single window"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=300)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("single window override")
        verbose_name_plural = _("single window overrides")

    def __str__(self) -> str:
        return f"{self.commune} → {self.unit}"


class Opinion(CheckedTextModel):
    """One commission member's opinion on a large project's dossier: awaited within its own delay (its clock,
    `workflows.OPINION_WORKFLOW`), then given (favourable, with conditions, or unfavourable, with its reasons and
    files), seen by every member as soon as it is entered. A late one may still be given, and stays counted late."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="opinions")
    member = models.CharField(_("member"), max_length=20, choices=CommissionMember.choices)
    state = models.CharField(_("state"), max_length=10, choices=OpinionState.choices, default=OpinionState.REQUESTED)
    # The round of examination: a refused dossier sent back is examined again, and each member gives a new opinion.
    round = models.PositiveSmallIntegerField(_("examination"), default=1)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    verdict = models.CharField(_("opinion"), max_length=12, choices=Verdict.choices, blank=True)
    text = models.TextField(_("reasons and conditions"), max_length=5000, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(_("given at"), null=True, blank=True)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["dossier", "round", "member"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "round", "member"], name="one_opinion_per_member_and_round")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.member} ({self.state})"


class OpinionTransition(TransitionRecord):
    opinion = models.ForeignKey(Opinion, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=OpinionState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=OpinionState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.opinion_id}: {self.from_state} → {self.to_state}"


class OpinionAttachment(KeptFile):
    """A file a member gives with its opinion (a technical note, a plan annotated), scanned like the applicant's."""

    opinion = models.ForeignKey(Opinion, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), storage=documents_storage, upload_to="opinions/%Y/%m/", blank=True)
    scan = models.CharField(_("virus scan"), max_length=10, choices=ScanState.choices, default=ScanState.PENDING)

    class Meta(KeptFile.Meta):
        verbose_name = _("opinion's file")
        verbose_name_plural = _("opinions' files")


class CommissionMeeting(CheckedTextModel):
    """A meeting of a single window's commission, its agenda built from the dossiers ready for it (every member's
    opinion in, given or lapsed)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="commission_meetings")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    dossiers = models.ManyToManyField(Dossier, verbose_name=_("agenda"), related_name="meetings", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("commission meeting")
        verbose_name_plural = _("commission meetings")
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.held_on}"


class DossierExport(models.Model):
    """A list of dossiers written to a file in the background (CSV or XLSX), of what its requester reads at the time
    of the request; its progress is kept as it is written, and the requester told when it is ready."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX (Excel)"

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # What the list was filtered on: {"state": ..., "procedure": ...}.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("dossiers"), null=True, blank=True)
    written = models.PositiveIntegerField(_("written"), default=0)
    file = models.FileField(_("file"), storage=documents_storage, upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export of dossiers")
        verbose_name_plural = _("exports of dossiers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.requested_by_id} {self.format} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress(self) -> int | None:
        """How much is written, in percent, once the count is known."""
        if not self.total:
            return 100 if self.state == self.State.READY else None
        return min(100, self.written * 100 // self.total)
