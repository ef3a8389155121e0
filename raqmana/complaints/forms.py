"""The complaints' forms: what a person files, what an agent decides. The services check again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextForm
from raqmana.kernel.upload_fields import MultipleFileField
from raqmana.territories.fields import CommuneField

from .constants import (
    MAX_REASON,
    MAX_SUBJECT,
    MAX_TEXT,
    AnswerOutcome,
    CollectivityLevel,
    ComplaintCategory,
    ComplaintState,
    Rating,
    RequestKind,
)


class FileForm(CheckedTextForm, forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A complaint: a service of a collectivity caused you harm. An observation: you point out a problem. "
            "A suggestion: you propose an improvement."
        ),
    )
    commune = CommuneField(label=_("Your commune"))
    level = forms.ChoiceField(
        label=_("Whose services?"),
        choices=CollectivityLevel.choices,
        initial=CollectivityLevel.COMMUNE,
        widget=forms.RadioSelect,
        help_text=_("The commune's own services, or those of its province or prefecture, or of its region."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=ComplaintCategory.choices)
    service = forms.CharField(label=_("Service concerned (if you know it)"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    text = forms.CharField(
        label=_("What happened, and what do you ask?"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8})
    )
    files = MultipleFileField(
        label=_("Files (optional)"),
        help_text=_("A photograph, a letter: PDF, JPEG or PNG, 3 files at most, 5 MB each."),
        required=False,
    )
    anonymous = forms.BooleanField(
        label=_("Make this observation without my name"),
        required=False,
        help_text=_("Only an observation may be anonymous. You will follow it with its number and a code."),
    )


class FollowForm(CheckedTextForm, forms.Form):
    reference = forms.CharField(label=_("Number of the request"), max_length=40)
    code = forms.CharField(label=_("Follow code"), max_length=20)


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All awaiting"))]
        + [(s.value, s.label) for s in (ComplaintState.RECEIVED, ComplaintState.FORWARDED, ComplaintState.REOPENED)],
    )
    late = forms.BooleanField(label=_("Late only"), required=False)


class ForwardForm(CheckedTextForm, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=RequestKind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=ComplaintCategory.choices)
    forwarded_to = forms.CharField(label=_("Forward to the service"), max_length=200)


class AnswerForm(CheckedTextForm, forms.Form):
    outcome = forms.ChoiceField(label=_("What the answer gives"), choices=AnswerOutcome.choices)
    answer_text = forms.CharField(label=_("Answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}))


class NotAdmissibleForm(CheckedTextForm, forms.Form):
    reasons = forms.CharField(
        label=_("Why it is not admissible"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 4})
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Does the answer satisfy you?"), choices=Rating.choices, widget=forms.RadioSelect
    )


class ReopenForm(CheckedTextForm, forms.Form):
    reason = forms.CharField(
        label=_("Why the answer does not settle it"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 4})
    )


class FiguresForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
