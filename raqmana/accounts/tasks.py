from django.core.mail import send_mail
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _


@task
def notify_role_granted(assignment_id):
    """Tell an agent by email that a role was granted to them, in the language they chose."""
    from .models import RoleAssignment

    assignment = RoleAssignment.objects.select_related("user", "territory", "office").get(pk=assignment_id)
    user = assignment.user
    if not user.email:
        return False
    with translation.override(user.preferred_language):
        send_mail(
            subject=_("Raqmana: a role was granted to you"),
            message=_(
                "Hello %(name)s,\n\nYou now hold the role “%(role)s” for %(place)s.\n"
                "At your next sign-in you will set up or use your authenticator app.\n"
            )
            % {"name": user.full_name, "role": assignment.get_role_display(), "place": assignment.place_name},
            from_email=None,
            recipient_list=[user.email],
        )
    return True
