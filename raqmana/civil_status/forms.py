from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from raqmana.calendars.fields import HijriDateField
from raqmana.kernel.text import CheckedTextForm, TextKind
from raqmana.territories.fields import CommuneField

from .constants import ActKind, AuthorityKind, MentionKind
from .models import HIJRI_TYPED_DATES, NAME_PARTS, SCRIPTS, Act, PreDeclaration
from .names import suggest_spellings
from .paper_numbers import checked, plain_number
from .selectors import YEARS_SEARCHED, birth_act_by_idcs

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
BIRTH_FIELDS = [
    "birth_date",
    "birth_date_hijri",
    "birth_time",
    "birth_place",
    "birth_place_detail",
    "born_abroad",
    "birth_country",
]
DEATH_FIELDS = ["death_date", "death_date_hijri", "death_time", "death_place", "death_place_detail", "died_abroad"]
PARENT_DATES = ["father_idcs", "father_birth_date", "mother_idcs", "mother_birth_date"]
DECLARATION_FIELDS = ["declarant_name", "declarant_relation", "declarant_document", "declarant_precedence_reason",
                      "declared_on", "declared_on_hijri", "late_judgment_number", "late_judgment_court",
                      "late_judgment_date"]  # fmt: skip
READ_REASONS = [
    ("", _("Choose why you open the act")),
    ("drafting", _("Drafting or signing the act")),
    ("extract", _("Extract or copy requested")),
    ("mention", _("Marginal mention to record")),
    ("duplicates", _("Duplicate check")),
    ("inspection", _("Inspection")),
    ("request", _("Request from a court or an administration")),
]
REASON_LABELS = dict(READ_REASONS[1:])


class BirthActField(forms.CharField):
    """A signed birth act named by its IDCS, found anywhere in the national register; None when left empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}))
        super().__init__(required=False, max_length=14, **kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        birth_act = birth_act_by_idcs(value)
        if birth_act is None:
            raise forms.ValidationError(_("No birth act has this IDCS: check its 12 digits."))
        return birth_act


class ActForm(forms.ModelForm):
    """The act form: names in three scripts side by side, the event, the declaration."""

    birth_place = CommuneField(label=capfirst(_("commune of birth")), required=False)
    death_place = CommuneField(label=capfirst(_("commune of death")), required=False)
    birth_date_hijri = HijriDateField(label=_("Date of birth in the Hijri calendar"))
    death_date_hijri = HijriDateField(label=_("Date of death in the Hijri calendar"))
    declared_on_hijri = HijriDateField(label=_("Date of the declaration in the Hijri calendar"))
    deceased_idcs = BirthActField(
        label=_("IDCS of the deceased, if registered at birth"),
        help_text=_("The death is then also written beside the birth act."),
    )

    class Meta:
        model = Act
        fields = ["sex", *[f"{part}_{script}" for part in NAME_PARTS for script in SCRIPTS], *PARENT_DATES,
                  *BIRTH_FIELDS, *DEATH_FIELDS, *DECLARATION_FIELDS]  # fmt: skip
        widgets = {
            "birth_date": DATE, "death_date": DATE, "declared_on": DATE, "late_judgment_date": DATE,
            "father_birth_date": DATE, "mother_birth_date": DATE, "birth_time": TIME, "death_time": TIME,
        }  # fmt: skip

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for field in [*DEATH_FIELDS, "deceased_idcs"] if kind == ActKind.BIRTH else []:
            del self.fields[field]
        if kind == ActKind.DEATH and self.instance.birth_act_id:
            self.initial["deceased_idcs"] = self.instance.birth_act.idcs
        # Either calendar may be typed; the services require one and derive the Gregorian from the Hijri.
        for gregorian, hijri in HIJRI_TYPED_DATES.items():
            if gregorian in self.fields:
                self.fields[gregorian].required = False
                self.fields[gregorian].help_text = _("Or give it in the Hijri calendar below.")
                if getattr(self.instance, hijri, ""):
                    self.initial[gregorian] = None  # kept as typed in Hijri: the Gregorian is derived again
        for name in ("father_idcs", "mother_idcs"):
            self.fields[name].widget.attrs.update({"dir": "ltr", "inputmode": "numeric"})
            self.fields[name].help_text = _("If the parent was registered at birth: it links the family booklet.")
        for name, field in self.fields.items():
            if name.endswith("_latin") or name.endswith("_tfng"):
                field.widget.attrs["dir"] = "ltr"
            if name.endswith("_ar"):
                field.widget.attrs.update({"dir": "rtl", "lang": "ar"})

    def name_rows(self):
        """Each name part with its three fields, for the side-by-side layout, and the spellings suggested for the
        Arabic name already there (a pre-declaration's, a draft's) while a spelling is missing, as typing the name
        would show them."""
        rows = []
        for part in NAME_PARTS:
            fields = [self[f"{part}_{script}"] for script in SCRIPTS]
            arabic, missing = fields[0].value(), not all(field.value() for field in fields[1:])
            rows.append((part, fields, suggest_spellings(arabic) if arabic and missing else None))
        return rows

    def section(self, names):
        return [self[name] for name in names if name in self.fields]

    def event_fields(self):
        death = [*DEATH_FIELDS, "deceased_idcs"] if self.kind == ActKind.DEATH else []
        return self.section(BIRTH_FIELDS + death + PARENT_DATES)

    def declaration_fields(self):
        return self.section(DECLARATION_FIELDS)


class ReasonForm(CheckedTextForm, forms.Form):
    reason = forms.ChoiceField(label=_("Why do you open this act?"), choices=READ_REASONS)


class SearchForm(CheckedTextForm, forms.Form):
    name = forms.CharField(label=_("Name, in Arabic or Latin letters"), required=False, max_length=200)
    parent_name = forms.CharField(label=_("A parent's name"), required=False, max_length=200)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=YEARS_SEARCHED[0], max_value=YEARS_SEARCHED[1]
    )
    birth_place = CommuneField(label=_("Commune of birth"), required=False)
    number = forms.CharField(
        label=_("Act number"),
        required=False,
        max_length=Act._meta.get_field("paper_number").max_length,
        help_text=_("As in the register, a paper one included: 123, or 123 مكرر."),
    )
    year = forms.IntegerField(
        label=_("Year of the act"), required=False, min_value=YEARS_SEARCHED[0], max_value=YEARS_SEARCHED[1]
    )
    idcs = forms.CharField(label=_("IDCS"), required=False, max_length=14, widget=forms.TextInput(attrs={"dir": "ltr"}))
    reason = forms.ChoiceField(
        label=_("Why are you searching?"), choices=[("", _("Choose why you search")), *READ_REASONS[1:]]
    )

    def clean_number(self):
        """A plain number is the act's number in the register, a digitised act's too; a number followed by the word
        of an inserted act ("123 مكرر") is a digitised act's paper number, searched as written. Anything else is no
        act number."""
        if not self.cleaned_data["number"]:
            return None
        paper_number = checked(self.cleaned_data["number"])
        number = plain_number(paper_number)
        if number is None:
            self.cleaned_data["paper_number"] = paper_number
        return number


class AbandonForm(CheckedTextForm, forms.Form):
    reason = forms.CharField(label=_("Why is this draft abandoned?"), max_length=300)


class MentionForm(CheckedTextForm, forms.Form):
    text_kinds = {"text_ar": TextKind.MULTILINE_TEXT}

    kind = forms.ChoiceField(label=_("Kind of mention"), choices=MentionKind.choices)
    authority_kind = forms.ChoiceField(label=_("Deciding authority"), choices=AuthorityKind.choices)
    authority_name = forms.CharField(label=_("Authority (court, prosecutor's office...)"), max_length=200)
    reference_number = forms.CharField(label=_("Reference (judgment or authorisation number)"), max_length=80)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)
    text_ar = forms.CharField(
        label=_("Text of the mention (Arabic)"), widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl"})
    )
    related_idcs = BirthActField(
        label=_("IDCS of the spouse (marriage, divorce)"),
        help_text=_("Links the spouse's birth act, for the family booklet."),
    )
    corrected_field = forms.ChoiceField(label=_("Corrected data (for a correction)"), required=False)
    corrected_value = forms.CharField(label=_("Corrected value"), required=False, max_length=200)

    def __init__(self, *args, correctable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrected_field"].choices = [("", "—")] + [
            (name, Act._meta.get_field(name).verbose_name) for name in sorted(correctable)
        ]

    def changes(self):
        field, value = self.cleaned_data.get("corrected_field"), self.cleaned_data.get("corrected_value", "")
        return {field: value} if field else {}


class PreDeclarationForm(forms.ModelForm):
    class Meta:
        model = PreDeclaration
        fields = ["kind", "sex", "first_name_ar", "family_name_ar", "father_name_ar", "mother_name_ar", "event_date",
                  "event_time", "place_detail"]  # fmt: skip
        widgets = {"event_date": DATE, "event_time": TIME}
