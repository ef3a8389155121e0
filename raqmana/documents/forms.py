from django import forms
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextForm


class RevokeForm(CheckedTextForm, forms.Form):
    reason = forms.CharField(label=_("Why is this document revoked?"), max_length=300)


class VerifyCodeForm(CheckedTextForm, forms.Form):
    code = forms.CharField(
        label=_("Verification code printed on the document"),
        max_length=24,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "placeholder": "XXXX-XXXX-XXXX-XXXX"}),
    )


class VerifyFileForm(forms.Form):
    pdf = forms.FileField(label=_("The PDF you received"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}))
