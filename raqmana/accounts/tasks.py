from datetime import timedelta

from django.core.mail import send_mail
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _


@task
def notify_role_granted(assignment_id):
    """Tell an agent by email that a role was granted to them, in the language they chose.

    A new agent also receives the one-time code that unlocks the enrolment of their authenticator app; it is
    made here, inside the worker, so that it never sits in the task queue. Agents without an email get it from
    the administrator (admin action, or `manage.py issue_enrolment_code`).
    """
    from django_otp import user_has_device

    from raqmana.access.models import RoleAssignment

    from .services import issue_enrolment_code

    assignment = RoleAssignment.objects.select_related("user", "territory", "unit").get(pk=assignment_id)
    user = assignment.user
    if not user.email:
        return False
    with translation.override(user.preferred_language):
        message = _("Hello %(name)s,\n\nYou now hold the role “%(role)s” for %(place)s.\n") % {
            "name": user.full_name,
            "role": assignment.get_role_display(),
            "place": assignment.place_name,
        }
        if not user_has_device(user):
            message += _(
                "\nAt your next sign-in, enter this enrolment code, then add Raqmana to your authenticator app: "
                "%(code)s\nIt is valid for 7 days and works once.\n"
            ) % {"code": issue_enrolment_code(user)}
        send_mail(
            subject=_("Raqmana: a role was granted to you"),
            message=message,
            from_email=None,
            recipient_list=[user.email],
        )
    return True


@task
def send_contact_code(contact_code_id, send_number):
    """Send the one-time code of a sign-up, an account's proof or a password reset, made here so that it never sits
    in the task queue.

    A sign-up with a contact that already has an account gets no code: the owner is told, in their language, that
    someone tried, and how to sign in or choose a new password (once a day at most, however many try). A password
    reset for a contact no account has sends nothing. A send overtaken by a newer one (a resend) does nothing.
    """
    from django.conf import settings
    from django.core.cache import cache
    from django.urls import reverse

    from raqmana.notifications.services import notify, transmit

    from .backends import find_user_by_identifier
    from .constants import CodePurpose
    from .models import ContactCode
    from .services import CONTACT_CODE_VALIDITY, CONTACT_LIMIT_WINDOW, make_contact_code

    contact_code = ContactCode.objects.select_related("user").get(pk=contact_code_id)
    if contact_code.contact_taken:
        owner = find_user_by_identifier(contact_code.contact)
        if send_number != 1 or owner is None:
            return False
        warned_today = f"raqmana.accounts.signup_warning:{owner.pk}"
        if not cache.add(warned_today, True, timeout=CONTACT_LIMIT_WINDOW.total_seconds()):
            return False
        with translation.override(owner.preferred_language):
            notify(
                owner,
                _("Raqmana: someone tried to open an account with your contact"),
                _(
                    "Someone tried to open a Raqmana account with %(contact)s, which is already yours. No account "
                    "was opened and nothing changed in yours.\nIf it was you, sign in to your account: %(login)s\n"
                    "Forgot your password? Choose a new one: %(reset)s\nIf it was not you, you need not do anything."
                )
                % {
                    "contact": contact_code.contact,
                    "login": settings.RAQMANA_PUBLIC_URL + reverse("accounts:login"),
                    "reset": settings.RAQMANA_PUBLIC_URL + reverse("accounts:password_reset"),
                },
            )
        return True
    if send_number != contact_code.sends or contact_code.used_at is not None:
        return False
    if contact_code.purpose == CodePurpose.PASSWORD_RESET and contact_code.user is None:
        return False  # no account has this contact: nothing to reset, and nobody to tell
    code = make_contact_code(contact_code)
    language = contact_code.user.preferred_language if contact_code.user else contact_code.signup["language"]
    with translation.override(language):
        transmit(
            contact_code.channel,
            contact_code.contact,
            _("Raqmana: your code"),
            _(
                "Your Raqmana code is %(code)s. It is valid for %(minutes)d minutes. If you did not ask for it, "
                "ignore this message."
            )
            % {"code": code, "minutes": CONTACT_CODE_VALIDITY // timedelta(minutes=1)},
        )
    return True
