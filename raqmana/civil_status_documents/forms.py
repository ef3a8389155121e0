from django import forms
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextForm
from raqmana.kernel.upload_handlers import RefusedUpload
from raqmana.kernel.uploads import check_size

from .constants import ACT_KIND_OF, CivilStatusDocument, RequesterRelation


class ActLookupForm(CheckedTextForm, forms.Form):
    """The counter finds an act by its IDCS or reference and a fact the requester states: no browsing."""

    reference = forms.CharField(
        label=_("The act's IDCS, or its reference (office code/year/number)"),
        max_length=60,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("The holder's date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    first_name = forms.CharField(
        label=_("The holder's first name (in any script)"),
        help_text=_(
            "Ask the requester for the first name, and the date of birth: each one given must match the act as "
            "corrected by its mentions. With the IDCS, the date of birth alone is enough; with the reference, the "
            "first name is needed."
        ),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("birth_date") is None and not data.get("first_name", "").strip():
            raise forms.ValidationError(_("Give the holder's date of birth or first name, as the requester states it."))
        return data


class IssueForm(CheckedTextForm, forms.Form):
    kind = forms.ChoiceField(label=_("Document"))
    requester_name = forms.CharField(label=_("Requester's full name"), max_length=200)
    requester_document = forms.CharField(
        label=_("Requester's identity document number"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    requester_relation = forms.ChoiceField(label=_("Requester's relation to the act"), choices=RequesterRelation)
    mandate_reference = forms.CharField(
        label=_("Mandate (reference and date), for a person authorised by the holder"), max_length=200, required=False
    )
    purpose = forms.CharField(label=_("What is the document for?"), max_length=200)
    identity_checked = forms.BooleanField(
        label=_("I have checked the requester's identity document and, for a full copy, the proof of their relation.")
    )

    def __init__(self, *args, act_kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.value, kind.label) for kind in CivilStatusDocument if ACT_KIND_OF[kind] == act_kind
        ]


class OrderLookupForm(CheckedTextForm, forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=CivilStatusDocument)
    reference = forms.CharField(
        label=_("The act's IDCS, or its reference (office code/year/number)"),
        help_text=_("On your family booklet or on an earlier extract."),
        max_length=60,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    event_date = forms.DateField(
        label=_("Date of birth (date of death for a death act)"),
        help_text=_("It must match the act: this keeps others from reaching acts by trying numbers."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    first_name = forms.CharField(
        label=_("The holder's first name (in any script)"),
        help_text=_("As written on the act, in Arabic, Latin or Tifinagh letters."),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class OrderForm(CheckedTextForm, forms.Form):
    requester_relation = forms.ChoiceField(label=_("You are"), choices=RequesterRelation)
    mandate_reference = forms.CharField(
        label=_("Mandate (reference and date), for a person authorised by the holder"), max_length=200, required=False
    )
    purpose = forms.CharField(label=_("What is the document for?"), max_length=200)
    proof = forms.FileField(
        label=_("Your identity document and the proof of your relation (PDF, JPEG or PNG, 5 MB at most)"),
        required=False,
        help_text=_("Needed for a full copy: the office that keeps the act checks it before issuing."),
    )

    def clean_proof(self):
        proof = self.cleaned_data["proof"]
        if proof:
            check_size(proof)
        return proof

    def clean(self):
        data = super().clean()
        # The reading of a request stops at a file over the limit: what the browser sent after it never arrived.
        if isinstance(self.files.get("proof"), RefusedUpload) and set(self.errors) - {"proof"}:
            self.add_error(
                None,
                _(
                    "The file was too large, so what was sent after it did not arrive. "
                    "Fill in the fields marked again and choose a smaller file."
                ),
            )
        return data


class RefuseForm(CheckedTextForm, forms.Form):
    reason = forms.CharField(label=_("Why is the order refused?"), max_length=300)
