from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.counter, name="counter"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<int:pk>/revoke/", views.document_revoke, name="revoke"),
    path("verify/", views.verify_start, name="verify_start"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
