from functools import partial

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from raqmana.accounts.middleware import awaits_second_factor
from raqmana.territories.constants import DATA_CREDIT

from .menu import links_for, own_affairs_of


def platform(request):
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "data_credit": DATA_CREDIT,
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_provider_name": getattr(settings, "OIDC_PROVIDER_NAME", ""),
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME * 60),
        # Worked out only where a page shows the menu; a refusal of unreadable input comes before the user is known.
        "navigation": partial(links_for, user),
        "own_affairs": partial(own_affairs_of, user),
        # Between the password and the TOTP code the header shows nobody's name, only the way out.
        "second_factor_pending": partial(awaits_second_factor, user),
    }
