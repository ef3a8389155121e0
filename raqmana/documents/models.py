from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.references import RecordReference
from raqmana.kernel.text import CheckedTextModel
from raqmana.territories.models import AdministrativeUnit

from .kinds import DocumentKind, kind_of


def documents_storage():
    return storages["documents"]


class KeptFile(models.Model):
    """A file given with a record (a complaint's photograph, a letter's scan, a commission member's note), rewritten
    from its content and found clean by the virus scanner before it was kept (`kernel.uploads.scanned_uploads`, then
    `services.keep`). Each kind links the record it belongs to and says where its files go (its own `file`, with its
    `upload_to`). Never deleted."""

    file = models.FileField(_("file"), storage=documents_storage, upload_to="files/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(_("type"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class IssuedDocument(RecordReference, CheckedTextModel):
    """A signed document, as issued: its kind (registered by the app that owns its subject, `kinds.py`), its subject
    (any record), the unit that issued it, what it certifies, to whom, why, and the PDF's hash.

    Never deleted nor changed after issue, except to record its revocation. Its verification code is the
    unguessable key printed in the QR code; the number is the issuing unit's yearly sequence.
    """

    kind = models.CharField(_("kind"), max_length=24)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("issuing office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_documents",
    )
    requester_name = models.CharField(_("requester's full name"), max_length=200)
    requester_document = models.CharField(_("requester's identity document number"), max_length=40, blank=True)
    # The requester's relation to the subject, among the choices of its kind (`DocumentKind.relations`).
    requester_relation = models.CharField(_("requester's relation"), max_length=16, blank=True)
    mandate_reference = models.CharField(_("mandate (reference and date)"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    content = models.JSONField(_("certified content"))
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, unique=True)
    pdf = models.FileField(_("PDF"), storage=documents_storage, upload_to="issued/%Y/%m/")
    # The seal's RFC 3161 time stamp, as the time-stamping authority gave it (empty on documents sealed before).
    seal_timestamp = models.DateTimeField(_("seal time-stamped at"), null=True, blank=True)
    seal_timestamp_authority = models.CharField(_("time-stamping authority"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revocation_reason = models.CharField(_("why it was revoked"), max_length=300, blank=True)

    scope_places = (("unit__territory", "unit"),)
    audit_label_reads = ("unit",)  # what its name reads beside it (audit.selectors.shown_events)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="one_document_number_per_unit_year")
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="issued_document_subject")]

    def __str__(self):
        return f"{self.kind_label} {self.reference}"

    @property
    def reference(self):
        return f"{self.unit.code}/{self.year}/{self.number}"

    @property
    def document_kind(self) -> DocumentKind:
        return kind_of(self.kind)

    @property
    def kind_label(self):
        return self.document_kind.label

    @property
    def requester_relation_label(self):
        relations = self.document_kind.relations
        if relations is None or self.requester_relation not in relations.values:
            return self.requester_relation
        return relations(self.requester_relation).label


class VerificationPartner(CheckedTextModel):
    """An organisation that verifies many documents through the API (a bank, a consulate), with a key of its own and
    a limit of its own in place of the one each address has. Only a hash of the key is kept; a revoked key stops."""

    name = models.CharField(_("name"), max_length=200)
    rate = models.CharField(
        _("verifications allowed"),
        max_length=16,
        default="600/m",
        validators=[
            RegexValidator(
                r"^[1-9]\d{0,5}/[smhd]$", _('A number and a period: "600/m" (s, m, h or d: second, minute, hour, day).')
            )
        ],
        help_text=_('How many verifications a period: "600/m" is 600 a minute (s, m, h, d).'),
    )
    key_prefix = models.CharField(_("API key prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("API key (hashed)"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("verification partner")
        verbose_name_plural = _("verification partners")
        ordering = ["name"]

    def __str__(self):
        return self.name
