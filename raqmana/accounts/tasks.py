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

    from .models import RoleAssignment
    from .services import issue_enrolment_code

    assignment = RoleAssignment.objects.select_related("user", "territory", "office").get(pk=assignment_id)
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
