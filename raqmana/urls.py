from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from raqmana.api import api

# The administration site asks for the second factor too.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = admin.site.site_title = "Raqmana"

urlpatterns = [
    path("", include("raqmana.core.urls")),
    path("accounts/", include("raqmana.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
