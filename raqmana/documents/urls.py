from django.urls import path

from . import views

# Mounted by raqmana/urls.py under /documents/ in the "documents" namespace, beside the pages of the apps that issue
# documents (civil_status_documents: the counter, orders and checks).
urlpatterns = [
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<int:pk>/revoke/", views.document_revoke, name="revoke"),
    path("verify/", views.verify_start, name="verify_start"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("pki/ca.crl", views.development_crl, name="crl"),
    path("pki/tsa", views.development_tsa, name="tsa"),
]
