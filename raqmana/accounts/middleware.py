from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

# Pages an agent may reach before the second factor: the factor itself, signing out, language, assets.
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/accounts/language/", "/static/")


def awaits_second_factor(user) -> bool:
    """Whether the person signed in with their password and owes their TOTP code: an agent not yet verified."""
    return user.is_authenticated and user.is_agent and not user.is_verified()


def unwrapped(user):
    """The user object itself, out of the lazy wrappers Django's and django-otp's middleware put around it (one in
    the other): a page reads the person hundreds of times (the menu asks each entry's audience), and each read through
    a wrapper raises and catches an exception per wrapper."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


class AgentTwoFactorMiddleware:
    """Agents act for an administration: until their TOTP code checks, they reach nothing else. Every page reads the
    person after this, which hands it the user object itself (`unwrapped`): the first read of the user is here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user = unwrapped(request.user)
        if awaits_second_factor(user) and not request.path.startswith(OPEN_PREFIXES):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Confirm your second factor first: the code your authenticator app shows.")},
                    status=403,
                )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:two_factor')}?{query}")
        return self.get_response(request)
