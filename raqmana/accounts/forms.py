from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from raqmana.kernel.text import CheckedTextForm
from raqmana.notifications.models import Channel
from raqmana.notifications.sms import sms_provider
from raqmana.territories.fields import CommuneField

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


class NewPasswordFields(forms.Form):
    """A password typed twice, checked against the password rules."""

    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class ContactField(forms.CharField):
    """An email address in lower case, or a phone number in E.164, as accounts store them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Email address or phone number"))
        super().__init__(
            max_length=254, widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "username"}), **kwargs
        )

    def clean(self, value):
        contact = super().clean(value).strip()
        if "@" in contact:
            forms.EmailField().clean(contact)
            return contact.lower()
        return normalise_phone(contact)


class SignupForm(CheckedTextForm, NewPasswordFields):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    contact = ContactField(help_text=_("A code is sent there to check that it is yours; you will sign in with it."))
    field_order = ["full_name", "contact", "password1", "password2"]


class ForgottenPasswordForm(CheckedTextForm, forms.Form):
    contact = ContactField(help_text=_("The one you sign in with: a code is sent there."))


class ContactCodeForm(CheckedTextForm, forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr", "autofocus": True}
        ),
    )


class NewPasswordCodeForm(ContactCodeForm, NewPasswordFields):
    """The code sent for a password reset, and the new password."""

    field_order = ["code", "password1", "password2"]


class ContactChoiceForm(forms.Form):
    """Where to send the code: the account's email address or its phone number."""

    channel = forms.ChoiceField(label=_("Send the code to"), widget=forms.RadioSelect)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if user.email:
            choices.append((Channel.EMAIL, user.email))
        if user.phone and sms_provider() is not None:
            choices.append((Channel.SMS, user.phone))
        self.fields["channel"].choices = choices
        if choices:
            self.fields["channel"].initial = choices[0][0]


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
