from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from raqmana.core.text import CheckedTextForm
from raqmana.territories.forms import CommuneField

from .constants import RepresentativeCapacity
from .validators import normalise_ice, normalise_phone


class LoginForm(CheckedTextForm, AuthenticationForm):
    username = forms.CharField(
        label=_("Email or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "dir": "auto"}),
    )
    error_messages = {
        "invalid_login": _("This email or phone number and password do not match an account."),
        "inactive": _("This account is disabled."),
    }


class TokenForm(CheckedTextForm, forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}", "dir": "ltr"}
        ),
    )


class EnrolmentCodeForm(CheckedTextForm, forms.Form):
    code = forms.CharField(
        label=_("Enrolment code"),
        help_text=_("Ten characters, sent by email when your role was granted, or given by your administrator."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "autocapitalize": "characters"}),
    )


class SignupForm(CheckedTextForm, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"}))
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "type": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalise_phone(phone) if phone else None

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and not self.errors:
            raise ValidationError(_("Give an email address or a phone number."))
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class EnterpriseForm(CheckedTextForm, forms.Form):
    ice = forms.CharField(
        label=_("ICE number"),
        max_length=20,
        help_text=_("15 digits, on your ICE certificate."),
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
    )
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    trade_register_number = forms.CharField(label=_("Trade register number"), max_length=40, required=False)
    address = forms.CharField(label=_("Registered address"), max_length=300, required=False)
    commune = CommuneField(label=_("Commune of the registered office"))

    def clean_ice(self):
        return normalise_ice(self.cleaned_data["ice"])


class RepresentativeForm(CheckedTextForm, forms.Form):
    identifier = forms.CharField(label=_("Email or phone number of the person's Raqmana account"), max_length=254)
    capacity = forms.ChoiceField(label=_("Capacity"), choices=RepresentativeCapacity.choices)
