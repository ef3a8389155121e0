from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "account.registered": _("Account opened"),
    "account.registered_by_eid": _("Account opened with the national e-ID"),
    "account.signed_in": _("Signed in"),
    "two_factor.enrolment_code_issued": _("Enrolment code issued"),
    "two_factor.enrolled": _("Authenticator app enrolled"),
    "two_factor.verified": _("Second factor given"),
    "role.granted": _("Role granted"),
    "role.revoked": _("Role revoked"),
    "enterprise.registered": _("Enterprise registered"),
    "enterprise.representative_invited": _("Representative invited"),
    "enterprise.representative_added": _("Representative added"),
    "enterprise.invitation_declined": _("Invitation declined"),
}
