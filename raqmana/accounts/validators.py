import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ma import ice


def normalise_phone(value):
    """A phone number in E.164 form (+212…); Moroccan numbers may be typed in their national form (06…)."""
    try:
        number = phonenumbers.parse(value, "MA")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, for example 06 12 34 56 78."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_ice(value):
    """An enterprise's Identifiant Commun de l'Entreprise: 15 digits whose last two are a check (stdnum.ma.ice)."""
    try:
        return ice.validate(value)
    except StdnumError:
        raise ValidationError(
            _("This ICE number is not valid: it has 15 digits and its last two digits must check the others."),
            code="invalid_ice",
        ) from None
