from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.counter, name="counter"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<int:pk>/revoke/", views.document_revoke, name="revoke"),
    path("orders/", views.orders, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/pay/", views.order_pay, name="order_pay"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
    path("checks/", views.checks, name="checks"),
    path("checks/<int:pk>/", views.check_detail, name="check"),
    path("checks/<int:pk>/proof/", views.check_proof, name="check_proof"),
    path("verify/", views.verify_start, name="verify_start"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("pki/ca.crl", views.development_crl, name="crl"),
    path("pki/tsa", views.development_tsa, name="tsa"),
]
