from datetime import timedelta

from django.tasks import task


@task
def notify_role_granted(assignment_id):
    """Tell an agent that a role was granted to them, in the language they chose.

    A new agent also receives, in the same email, the one-time code that unlocks the enrolment of their
    authenticator app; it is made here, inside the worker, so that it never sits in the task queue, and that email
    is not kept (a copy kept would be a readable code at rest). Agents without an email get it from the
    administrator (admin action, or `manage.py issue_enrolment_code`).
    """
    from django_otp import user_has_device

    from raqmana.access.models import RoleAssignment
    from raqmana.notifications.models import Channel
    from raqmana.notifications.services import language_of, notify, send_code

    from .services.two_factor import issue_enrolment_code

    assignment = RoleAssignment.objects.select_related("user", "territory", "unit").get(pk=assignment_id)
    user = assignment.user
    if not user.email:
        return False
    context = {"user": user, "assignment": assignment}
    if user_has_device(user):
        notify(user, "accounts.role_granted", context, unit=assignment.unit)
    else:
        context["code"] = issue_enrolment_code(user)
        send_code(Channel.EMAIL, user.email, "accounts.role_granted_with_code", context, language_of(user))
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

    from raqmana.notifications.services import notify, send_code

    from .backends import find_user_by_identifier
    from .constants import CodePurpose
    from .models import ContactCode
    from .services.sign_up import CONTACT_CODE_VALIDITY, CONTACT_LIMIT_WINDOW, make_contact_code

    contact_code = ContactCode.objects.select_related("user").get(pk=contact_code_id)
    if contact_code.contact_taken:
        owner = find_user_by_identifier(contact_code.contact)
        if send_number != 1 or owner is None:
            return False
        warned_today = f"raqmana.accounts.signup_warning:{owner.pk}"
        if not cache.add(warned_today, True, timeout=CONTACT_LIMIT_WINDOW.total_seconds()):
            return False
        login, reset = (
            settings.RAQMANA_PUBLIC_URL + reverse(name) for name in ("accounts:login", "accounts:password_reset")
        )
        notify(owner, "accounts.signup_attempted", {"contact": contact_code.contact, "login": login, "reset": reset})
        return True
    if send_number != contact_code.sends or contact_code.used_at is not None:
        return False
    if contact_code.purpose == CodePurpose.PASSWORD_RESET and contact_code.user is None:
        return False  # no account has this contact: nothing to reset, and nobody to tell
    code = make_contact_code(contact_code)
    language = contact_code.user.preferred_language if contact_code.user else contact_code.signup["language"]
    context = {"code": code, "minutes": CONTACT_CODE_VALIDITY // timedelta(minutes=1)}
    send_code(contact_code.channel, contact_code.contact, "accounts.contact_code", context, language)
    return True
