"""The messages accounts sends (notifications.kinds); templates in templates/accounts/notifications/."""

from raqmana.notifications.kinds import declare

declare("accounts.role_granted", "To an agent who holds a new role and already has an authenticator app.")
declare(
    "accounts.role_granted_with_code",
    "To a new agent: the role granted, and the one-time code that unlocks the enrolment of an authenticator app.",
    one_time=True,
)
declare(
    "accounts.contact_code", "The one-time code of a sign-up, an account's proof or a password reset.", one_time=True
)
declare("accounts.signup_attempted", "To a person whose contact someone tried to open another account with.")
declare("accounts.wrong_totp_codes", "To an agent whose authenticator codes were typed wrong too many times.")
