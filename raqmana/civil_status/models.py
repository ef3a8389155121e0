from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextModel, TextKind
from raqmana.territories.models import CivilStatusOffice, Territory
from raqmana.workflows.models import TransitionRecord

from .constants import (
    ActKind,
    ActState,
    AuthorityKind,
    DeathNoticeState,
    DeclarantRelation,
    EstablishmentKind,
    MentionKind,
    PreDeclarationState,
    Sex,
)

# The names an act carries, each written in Arabic, Latin and Tifinagh letters.
NAME_PARTS = ["first_name", "family_name", "father_first_name", "grandfather_first_name", "mother_first_name",
              "mother_family_name"]  # fmt: skip
SCRIPTS = ["ar", "latin", "tfng"]
NAME_FIELDS = [f"{part}_{script}" for part in NAME_PARTS for script in SCRIPTS]


def name_field(label, required=False):
    return models.CharField(label, max_length=100, blank=not required)


def hijri_field(label):
    return models.CharField(label, max_length=10, blank=True)


class ActQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(state=ActState.SIGNED)


# Each name in the script its field is for: an Arabic name holds no Latin letter, a Latin one no bidi control.
NAME_TEXT_KINDS = {
    **{f"{part}_ar": TextKind.ARABIC_NAME for part in NAME_PARTS},
    **{f"{part}_latin": TextKind.LATIN_NAME for part in NAME_PARTS},
    **{f"{part}_tfng": TextKind.TIFINAGH_NAME for part in NAME_PARTS},
}


class Act(CheckedTextModel):
    """A birth or death act of the national register, kept by one civil status office.

    Drafted by an agent, signed by the office's officer, and then never changed: later facts and corrections
    reach it as marginal mentions. Its number is the office's yearly sequence, given at signature.
    """

    text_kinds = NAME_TEXT_KINDS

    office = models.ForeignKey(
        CivilStatusOffice, verbose_name=_("office"), on_delete=models.PROTECT, related_name="acts"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ActKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=ActState.choices, default=ActState.DRAFT)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    idcs = models.CharField(_("IDCS"), max_length=12, unique=True, null=True, blank=True)
    # A digitised act's place in its office's paper register of the year: the volume and its number as written
    # there ("123", "123 مكرر"); empty for an act drawn up on the platform. With the office and year, the act's
    # source key, by which a load that is run again finds what it already loaded.
    register_volume = models.CharField(_("paper register volume"), max_length=20, blank=True)
    paper_number = models.CharField(_("act number in the paper register"), max_length=20, blank=True)

    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    first_name_ar = name_field(_("first name (Arabic)"), required=True)
    first_name_latin = name_field(_("first name (Latin)"))
    first_name_tfng = name_field(_("first name (Tifinagh)"))
    family_name_ar = name_field(_("family name (Arabic)"), required=True)
    family_name_latin = name_field(_("family name (Latin)"))
    family_name_tfng = name_field(_("family name (Tifinagh)"))
    father_first_name_ar = name_field(_("father's first name (Arabic)"))
    father_first_name_latin = name_field(_("father's first name (Latin)"))
    father_first_name_tfng = name_field(_("father's first name (Tifinagh)"))
    grandfather_first_name_ar = name_field(_("paternal grandfather's first name (Arabic)"))
    grandfather_first_name_latin = name_field(_("paternal grandfather's first name (Latin)"))
    grandfather_first_name_tfng = name_field(_("paternal grandfather's first name (Tifinagh)"))
    mother_first_name_ar = name_field(_("mother's first name (Arabic)"))
    mother_first_name_latin = name_field(_("mother's first name (Latin)"))
    mother_first_name_tfng = name_field(_("mother's first name (Tifinagh)"))
    mother_family_name_ar = name_field(_("mother's family name (Arabic)"))
    mother_family_name_latin = name_field(_("mother's family name (Latin)"))
    mother_family_name_tfng = name_field(_("mother's family name (Tifinagh)"))
    # The parents' own birth acts, when they were registered: what the family booklet is drawn from.
    father_idcs = models.CharField(_("father's IDCS"), max_length=12, blank=True)
    mother_idcs = models.CharField(_("mother's IDCS"), max_length=12, blank=True)
    father_birth_date = models.DateField(_("father's date of birth"), null=True, blank=True)
    mother_birth_date = models.DateField(_("mother's date of birth"), null=True, blank=True)

    birth_date = models.DateField(_("date of birth"))
    # A date typed in Hijri (old registers carry no other) is kept as typed, "YYYY-MM-DD" of the Hijri calendar;
    # the Gregorian field beside it holds its equivalent, by which the register is searched and dated.
    birth_date_hijri = hijri_field(_("date of birth (Hijri, as written)"))
    birth_time = models.TimeField(_("time of birth"), null=True, blank=True)
    birth_place = models.ForeignKey(
        Territory,
        verbose_name=_("commune of birth"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # act_birth_place_date starts with it
    )
    birth_place_detail = models.CharField(_("place of birth (establishment, address)"), max_length=200, blank=True)
    born_abroad = models.BooleanField(_("born abroad"), default=False)
    birth_country = models.CharField(_("country of birth"), max_length=100, blank=True)

    death_date = models.DateField(_("date of death"), null=True, blank=True)
    death_date_hijri = hijri_field(_("date of death (Hijri, as written)"))
    death_time = models.TimeField(_("time of death"), null=True, blank=True)
    death_place = models.ForeignKey(
        Territory,
        verbose_name=_("commune of death"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # indexed where set: see Meta.indexes
    )
    death_place_detail = models.CharField(_("place of death (establishment, address)"), max_length=200, blank=True)
    died_abroad = models.BooleanField(_("died abroad"), default=False)
    birth_act = models.ForeignKey(
        "self",
        verbose_name=_("birth act of the deceased"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="death_acts",
        limit_choices_to={"kind": ActKind.BIRTH, "state": ActState.SIGNED},
        db_index=False,  # indexed where set: see Meta.indexes
    )

    pre_declaration = models.OneToOneField(
        "PreDeclaration",
        verbose_name=_("pre-declaration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="act",
    )
    declarant_name = models.CharField(_("declarant's full name"), max_length=200)
    declarant_relation = models.CharField(_("declarant's relation"), max_length=24, choices=DeclarantRelation.choices)
    declarant_document = models.CharField(_("declarant's identity document number"), max_length=40, blank=True)
    declarant_precedence_reason = models.CharField(
        _("why no declarant of higher priority declared"), max_length=300, blank=True
    )
    declared_on = models.DateField(_("date of the declaration"))
    declared_on_hijri = hijri_field(_("date of the declaration (Hijri, as written)"))
    late_judgment_number = models.CharField(_("judgment number (late declaration)"), max_length=60, blank=True)
    late_judgment_court = models.CharField(_("court (late declaration)"), max_length=200, blank=True)
    late_judgment_date = models.DateField(_("judgment date (late declaration)"), null=True, blank=True)

    # Normalised keys for search and duplicate detection, set by the services from the names.
    name_key_ar = models.CharField(max_length=200, blank=True)
    name_key_latin = models.CharField(max_length=200, blank=True)
    parents_key_ar = models.CharField(max_length=300, blank=True)
    # The names' consonant skeleton, one alphabet for both scripts (names.sound_key): what a name is searched by.
    name_sound = models.CharField(max_length=100, blank=True)

    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    objects = ActQuerySet.as_manager()
    scope_places = (("office__territory", "office"),)
    audit_label_reads = ("office",)  # what `audit_label` reads beside the act (audit.selectors.shown_events)

    class Meta:
        verbose_name = _("civil status act")
        verbose_name_plural = _("civil status acts")
        ordering = ["-signed_at", "-drafted_at"]
        indexes = [
            models.Index(fields=["birth_place", "birth_date"], name="act_birth_place_date"),
            # Only death acts have these: indexing births' empty values would slow every load for nothing.
            models.Index(fields=["death_place"], condition=Q(death_place__isnull=False), name="act_death_place"),
            models.Index(fields=["birth_act"], condition=Q(birth_act__isnull=False), name="act_birth_act"),
            models.Index(fields=["father_idcs"], condition=~Q(father_idcs=""), name="act_father_idcs"),
            models.Index(fields=["mother_idcs"], condition=~Q(mother_idcs=""), name="act_mother_idcs"),
            # A name's matches by spelling, then each spelling's acts newest first, from the index alone.
            models.Index(
                fields=["name_sound", "name_key_ar", "name_key_latin", "signed_at", "id"], name="act_name_sound"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "number"],
                condition=Q(number__isnull=False),
                name="one_number_per_office_year",
            ),
            models.UniqueConstraint(
                fields=["office", "year", "register_volume", "paper_number"],
                condition=~Q(paper_number=""),
                name="one_act_per_paper_act",
            ),
            models.CheckConstraint(
                condition=Q(paper_number="") | (~Q(register_volume="") & Q(year__isnull=False)),
                name="paper_acts_name_their_volume",
            ),
            models.CheckConstraint(
                condition=~Q(state=ActState.SIGNED)
                | Q(number__isnull=False, year__isnull=False, signed_at__isnull=False),
                name="signed_acts_are_numbered",
            ),
        ]

    def __str__(self):
        number = f"{self.number}/{self.year}" if self.number else _("draft")
        return f"{self.get_kind_display()} {number} — {self.first_name_ar} {self.family_name_ar}"

    def save(self, *args, **kwargs):
        # The register's last guard: whatever the caller, a signed act is never written again.
        if self.pk and type(self).objects.filter(pk=self.pk, state=ActState.SIGNED).exists():
            raise ValidationError(_("A signed act is never changed: record a marginal mention instead."))
        super().save(*args, **kwargs)

    @property
    def reference(self):
        """How the act is cited: office code, year and number."""
        return f"{self.office.code}/{self.year}/{self.number}" if self.number else ""

    @property
    def is_digitised(self):
        """Whether the act was drawn up on paper and loaded from its digitised register."""
        return bool(self.paper_number)

    @property
    def audit_label(self):
        """The act in the audit trail: its kind and reference, never the names it holds."""
        return f"{self.get_kind_display()} {self.reference or _('draft') + f' #{self.pk}'}"


# What an agent types into an act; everything else (state, number, IDCS, keys, signature) the services set.
ACT_INPUT_FIELDS = [
    "sex", *NAME_FIELDS, "father_idcs", "mother_idcs", "father_birth_date", "mother_birth_date", "birth_date",
    "birth_date_hijri", "birth_time", "birth_place", "birth_place_detail", "born_abroad", "birth_country",
    "death_date", "death_date_hijri", "death_time", "death_place", "death_place_detail", "died_abroad", "birth_act",
    "declarant_name", "declarant_relation", "declarant_document", "declarant_precedence_reason", "declared_on",
    "declared_on_hijri", "late_judgment_number", "late_judgment_court", "late_judgment_date",
]  # fmt: skip
# A mention may correct these; never the office, number, IDCS or signature.
CORRECTABLE_FIELDS = set(ACT_INPUT_FIELDS) - {"birth_act"}
# The dates that may be typed in Hijri, each with the field keeping the Hijri as typed.
HIJRI_TYPED_DATES = {
    "birth_date": "birth_date_hijri",
    "death_date": "death_date_hijri",
    "declared_on": "declared_on_hijri",
}


class ActTransition(TransitionRecord):
    """Who moved an act from one state to another, when and why."""

    act = models.ForeignKey(Act, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=ActState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=ActState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.act_id}: {self.from_state} → {self.to_state}"


class Mention(CheckedTextModel):
    """A marginal mention (بيان هامشي): a later fact or correction written beside a signed act."""

    act = models.ForeignKey(Act, verbose_name=_("act"), on_delete=models.PROTECT, related_name="mentions")
    kind = models.CharField(_("kind"), max_length=24, choices=MentionKind.choices)
    authority_kind = models.CharField(_("deciding authority"), max_length=24, choices=AuthorityKind.choices)
    authority_name = models.CharField(_("authority (court, prosecutor's office...)"), max_length=200)
    reference_number = models.CharField(_("reference (judgment or authorisation number)"), max_length=80)
    decided_on = models.DateField(_("decided on"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    text_ar = models.TextField(_("text of the mention (Arabic)"))
    changes = models.JSONField(_("corrected data"), default=dict, blank=True)
    related_act = models.ForeignKey(
        Act, verbose_name=_("related act"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("marginal mention")
        verbose_name_plural = _("marginal mentions")
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.reference_number}"


class DeathNotice(models.Model):
    """Law 36-21: the officer of the place of death notifies the office keeping the deceased's birth act, which
    writes the death beside it. The mention is written when the death act is signed; the notice tells the
    birth act's office, whose agents see it in their queue until they have taken note of it."""

    death_act = models.OneToOneField(
        Act, verbose_name=_("death act"), on_delete=models.PROTECT, related_name="death_notice"
    )
    birth_act = models.ForeignKey(Act, verbose_name=_("birth act"), on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        CivilStatusOffice,
        verbose_name=_("office keeping the birth act"),
        on_delete=models.PROTECT,
        related_name="death_notices",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DeathNoticeState.choices, default=DeathNoticeState.RECEIVED
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    scope_places = (("office__territory", "office"),)

    class Meta:
        verbose_name = _("death notice")
        verbose_name_plural = _("death notices")
        ordering = ["sent_at", "pk"]

    def __str__(self):
        return f"{self.death_act.reference} → {self.birth_act.reference}"


class DeathNoticeTransition(TransitionRecord):
    notice = models.ForeignKey(DeathNotice, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=DeathNoticeState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=DeathNoticeState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.notice_id}: {self.from_state} → {self.to_state}"


class Establishment(CheckedTextModel):
    """A health establishment, communal hygiene office or local authority that files pre-declarations, on the
    web by its members or through the API with its own key (only a hash of which is kept)."""

    kind = models.CharField(_("kind"), max_length=16, choices=EstablishmentKind.choices)
    name_ar = models.CharField(_("Arabic name"), max_length=200)
    name_fr = models.CharField(_("French name"), max_length=200)
    commune = models.ForeignKey(Territory, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="establishments"
    )
    api_key_prefix = models.CharField(_("API key prefix"), max_length=12, blank=True, db_index=True)
    api_key_hash = models.CharField(_("API key (hashed)"), max_length=128, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("declaring establishment")
        verbose_name_plural = _("declaring establishments")
        ordering = ["name_fr"]

    def __str__(self):
        return self.name_fr


class PreDeclaration(CheckedTextModel):
    """A birth or death announced online by an establishment, waiting for a declarant at the civil status
    office of the commune where it happened."""

    text_kinds = dict.fromkeys(
        ["first_name_ar", "family_name_ar", "father_name_ar", "mother_name_ar"], TextKind.ARABIC_NAME
    )

    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), on_delete=models.PROTECT, related_name="pre_declarations"
    )
    office = models.ForeignKey(
        CivilStatusOffice, verbose_name=_("office"), on_delete=models.PROTECT, related_name="pre_declarations"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ActKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=PreDeclarationState.choices, default=PreDeclarationState.RECEIVED
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    first_name_ar = models.CharField(_("first name (Arabic)"), max_length=100, blank=True)
    family_name_ar = models.CharField(_("family name (Arabic)"), max_length=100, blank=True)
    father_name_ar = models.CharField(_("father's name (Arabic)"), max_length=200, blank=True)
    mother_name_ar = models.CharField(_("mother's name (Arabic)"), max_length=200, blank=True)
    event_date = models.DateField(_("date of the birth or death"))
    event_time = models.TimeField(_("time"), null=True, blank=True)
    place_detail = models.CharField(_("place (ward, address)"), max_length=200, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    scope_places = (("office__territory", "office"),)

    class Meta:
        verbose_name = _("pre-declaration")
        verbose_name_plural = _("pre-declarations")
        ordering = ["filed_at"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.event_date:%Y-%m-%d} — {self.establishment}"

    @property
    def receipt_number(self):
        """The number the establishment quotes: its office, year and the pre-declaration's id."""
        return f"PD-{self.office.code}-{self.filed_at:%Y}-{self.pk:07d}"


class PreDeclarationTransition(TransitionRecord):
    pre_declaration = models.ForeignKey(PreDeclaration, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=10, choices=PreDeclarationState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=PreDeclarationState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"{self.pre_declaration_id}: {self.from_state} → {self.to_state}"
