from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from raqmana.api import api
from raqmana.civil_status_documents.urls import urlpatterns as civil_status_document_pages
from raqmana.documents.urls import urlpatterns as document_pages
from raqmana.kernel.errors import bad_request, page_not_found, permission_denied, server_error


class RaqmanaAdminSite(OTPAdminSite):
    """The DGCT super-administrator's site: superusers only, second factor required.

    Other agents work in the scoped pages; the admin's querysets are not scoped.
    """

    site_header = site_title = "Raqmana"

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_superuser


admin.site.__class__ = RaqmanaAdminSite

# An unexpected error shows a translated sentence and a reference to quote; the details go to the log (kernel.errors).
handler500 = server_error
# The other refusals are pages of the platform too (the portal's 400.html, 403.html, 404.html), and under /api/ JSON
# like the API's own refusals, even when no endpoint was reached: an unknown address, a middleware's refusal.
handler400 = bad_request
handler403 = permission_denied
handler404 = page_not_found

urlpatterns = [
    path("", include("raqmana.portal.urls")),
    path("accounts/", include("raqmana.accounts.urls")),
    path("civil-status/", include("raqmana.civil_status.urls")),
    # One section of pages, /documents/ (namespace "documents"): the engine's (a document, its verification) and the
    # civil status documents' (the counter, orders, checks), each app keeping its own URL patterns.
    path("documents/", include((document_pages + civil_status_document_pages, "documents"))),
    path("payments/", include("raqmana.payments.urls")),
    path("procedures/", include("raqmana.procedures.urls")),
    path("complaints/", include("raqmana.complaints.urls")),
    path("mail/", include("raqmana.mail_registry.urls")),
    path("legalisation/", include("raqmana.legalisation.urls")),
    path("proposals/", include("raqmana.proposals.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
