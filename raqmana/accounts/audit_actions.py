from django.utils.translation import gettext_lazy as _

from raqmana.audit.registry import Action, declare

# A person's own account (signing up, in, proving a contact, the second factor) happens nowhere in particular.
declare(
    Action("account.registered", _("Account opened"), placeless=True),
    Action("account.registered_by_eid", _("Account opened with the national e-ID"), placeless=True),
    Action("account.signed_in", _("Signed in"), placeless=True),
    Action("account.contact_verified", _("Email or phone proved by a code"), placeless=True),
    Action("account.password_reset", _("Password changed with a code"), placeless=True),
    Action("two_factor.enrolment_code_issued", _("Enrolment code issued"), placeless=True),
    Action("two_factor.enrolled", _("Authenticator app enrolled"), placeless=True),
    Action("two_factor.verified", _("Second factor given"), placeless=True),
    Action("two_factor.wrong_codes_warned", _("Agent warned of wrong second-factor codes in a row"), placeless=True),
    Action("enterprise.registered", _("Enterprise registered")),
    Action("enterprise.representative_invited", _("Representative invited")),
    Action("enterprise.representative_added", _("Representative added")),
    Action("enterprise.invitation_declined", _("Invitation declined")),
)
