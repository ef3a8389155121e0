from django.conf import settings

from raqmana.territories.constants import DATA_CREDIT


def platform(request):
    return {
        "data_credit": DATA_CREDIT,
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_provider_name": getattr(settings, "OIDC_PROVIDER_NAME", ""),
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME * 60),
    }
