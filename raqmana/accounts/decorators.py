from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# What the API answers an account that has not proved its contact (the pages send it to prove it instead).
UNPROVED_CONTACT = _(
    "Confirm your email address or phone number before ordering documents: sign in on the website, where a code "
    "is sent to it."
)


def contact_verified_required(view):
    """For pages that act in a person's name (ordering documents): an account that has not proved its email or phone
    is sent to prove it, then back. A form sent by POST comes back to the page it was sent from."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_verified_contact:
            back = request.get_full_path() if request.method == "GET" else request.META.get("HTTP_REFERER", "")
            query = f"?{urlencode({'next': back})}" if back else ""
            return redirect(reverse("accounts:verify_contact") + query)
        return view(request, *args, **kwargs)

    return checked
