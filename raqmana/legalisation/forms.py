"""The legalisation's forms: what a citizen prepares, what the officer records. The services check again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextForm
from raqmana.territories.fields import CommuneField
from raqmana.territories.models import AdministrativeUnit

from .constants import MAX_COPIES, MAX_PAGES, MAX_REASON, MAX_SUBJECT, Completion, Service, StampPlace

DOCUMENT_HELP = _("The document as a PDF (or a photograph, JPEG or PNG), 5 MB and 50 pages at most.")


class DocumentFields(forms.Form):
    subject = forms.CharField(
        label=_("What is the document?"),
        max_length=MAX_SUBJECT,
        help_text=_("For example: a commitment to rent, an employment certificate, a diploma."),
    )
    document = forms.FileField(label=_("The document"), help_text=DOCUMENT_HELP)
    stamp_page = forms.IntegerField(
        label=_("Page of the stamp"), min_value=1, max_value=MAX_PAGES, initial=1, help_text=_("1 is the first page.")
    )
    stamp_place = forms.ChoiceField(
        label=_("Where on that page"), choices=StampPlace.choices, initial=StampPlace.BOTTOM_LEFT
    )
    copies = forms.IntegerField(
        label=_("Copies to certify"),
        min_value=1,
        max_value=MAX_COPIES,
        initial=1,
        help_text=_("For a certified copy only; a signature is legalised once."),
    )


class PrepareForm(CheckedTextForm, DocumentFields):
    service = forms.ChoiceField(label=_("What do you need?"), choices=Service.choices, widget=forms.RadioSelect)
    commune = CommuneField(label=_("Commune of the office where you will go"))
    field_order = ["service", "commune", "subject", "document", "stamp_page", "stamp_place", "copies"]


class CounterForm(CheckedTextForm, DocumentFields):
    office = forms.ModelChoiceField(label=_("Office"), queryset=AdministrativeUnit.objects.none())
    service = forms.ChoiceField(label=_("Service"), choices=Service.choices, widget=forms.RadioSelect)
    national_id = forms.CharField(label=_("National identity card number"), max_length=12)
    requester_name = forms.CharField(
        label=_("Full name, as on the card"), max_length=200, required=False, help_text=_("For a certified copy.")
    )
    identity_checked = forms.BooleanField(
        label=_("I checked the identity card in person (and compared the copy with its original)"), required=False
    )
    duty_receipt = forms.CharField(label=_("Stamp duty receipt"), max_length=40, required=False)
    field_order = ["office", "service", "national_id", "requester_name", "subject", "document", "stamp_page"]

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = AdministrativeUnit.objects.filter(pk__in=[office.pk for office in offices])
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].pk


class EnrolForm(CheckedTextForm, forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=AdministrativeUnit.objects.none())
    national_id = forms.CharField(label=_("National identity card number"), max_length=12)
    full_name = forms.CharField(label=_("Full name, as on the card"), max_length=200)
    specimen = forms.FileField(
        label=_("Specimen signature"),
        help_text=_("Signed on the signature pad, or on paper and scanned: JPEG or PNG."),
    )

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = AdministrativeUnit.objects.filter(pk__in=[office.pk for office in offices])
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].pk


class CompleteForm(CheckedTextForm, forms.Form):
    completion = forms.ChoiceField(label=_("How"), choices=Completion.choices, widget=forms.RadioSelect)
    identity_checked = forms.BooleanField(
        label=_("I checked the identity card in person (and compared the copy with its original)"), required=False
    )
    duty_receipt = forms.CharField(label=_("Stamp duty receipt"), max_length=40, required=False)


class RefuseForm(CheckedTextForm, forms.Form):
    reason = forms.CharField(label=_("Reasons"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}))


class FiguresForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
