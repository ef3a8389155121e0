"""The proposals channel's forms. The services check again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextForm
from raqmana.kernel.upload_fields import MultipleFileField
from raqmana.procedures.models import Procedure
from raqmana.territories.models import Territory

from .constants import MAX_COMMENT, MAX_OUTCOME, MAX_TEXT, MAX_TITLE, Ordering, ProposalState


class SubmitForm(CheckedTextForm, forms.Form):
    collectivity = forms.ModelChoiceField(label=_("For the collectivity"), queryset=Territory.objects.none())
    procedure = forms.ModelChoiceField(
        label=_("Procedure concerned (if it is in the catalogue)"),
        queryset=Procedure.objects.filter(published=True).order_by("code"),
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    problem = forms.CharField(
        label=_("The problem"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What keeps the procedure on paper today, and who it costs time."),
    )
    proposal = forms.CharField(label=_("The proposal"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(
        label=_("Files (optional)"),
        help_text=_("A form used today, a screenshot: PDF, JPEG or PNG, 3 files at most, 5 MB each."),
        required=False,
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collectivity"].queryset = Territory.objects.filter(pk__in=[place.pk for place in places])
        if len(places) == 1:
            self.fields["collectivity"].initial = places[0].pk


class CommentForm(CheckedTextForm, forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(CheckedTextForm, forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=ProposalState.choices)
    outcome = forms.CharField(
        label=_("Outcome, published to every collectivity"),
        max_length=MAX_OUTCOME,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required to adopt, reject (the reasons) or record the implementation."),
    )

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(state.value, state.label) for state in states]


class ListForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *ProposalState.choices], required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Territory.objects.none(), required=False)
    ordering = forms.ChoiceField(label=_("Order"), choices=Ordering.choices, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions
