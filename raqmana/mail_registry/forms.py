"""The mail registry's forms: a letter to register, a search. The services check again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextForm
from raqmana.kernel.upload_fields import MultipleFileField

from .constants import MAX_NAME, MAX_SUBJECT, Direction


class RegisterForm(CheckedTextForm, forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect)
    correspondent = forms.CharField(label=_("Sender or recipient"), max_length=MAX_NAME)
    correspondent_reference = forms.CharField(label=_("Their reference (optional)"), max_length=60, required=False)
    letter_date = forms.DateField(
        label=_("Date of the letter (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    confidential = forms.BooleanField(label=_("Confidential"), required=False)
    routed_to = forms.CharField(label=_("Routed to the service (optional)"), max_length=MAX_NAME, required=False)
    answer_due_on = forms.DateField(
        label=_("Answer due by (incoming letters, optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    in_reply_to = forms.CharField(
        label=_("Answers the incoming letter number (optional)"),
        max_length=20,
        required=False,
        help_text=_("As written on it: A-2026/12."),
    )
    dossier = forms.CharField(
        label=_("Dossier concerned (optional)"),
        max_length=40,
        required=False,
        help_text=_("Its number, as its receipt prints it: URB-04.501.01.07/2026/3."),
    )
    complaint = forms.CharField(
        label=_("Complaint concerned (optional)"),
        max_length=40,
        required=False,
        help_text=_("Its tracking number: 04.501.01.07/2026/12."),
    )
    files = MultipleFileField(
        label=_("Scans (optional)"), help_text=_("PDF, JPEG or PNG, 3 files at most, 5 MB each."), required=False
    )


class SearchForm(CheckedTextForm, forms.Form):
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    correspondent = forms.CharField(label=_("Sender or recipient"), max_length=MAX_NAME, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=[("", _("Both")), *Direction.choices], required=False)
    day_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    day_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
