from django.urls import path

from . import views

# Mounted by raqmana/urls.py under /documents/ in the "documents" namespace, beside the documents engine's pages
# (a document, its PDF, its verification), so that the addresses citizens and agents know stay as they were.
urlpatterns = [
    path("", views.counter, name="counter"),
    path("orders/", views.orders, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/pay/", views.order_pay, name="order_pay"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/check-payment/", views.order_check_payment, name="order_check_payment"),
    path("orders/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
    path("checks/", views.checks, name="checks"),
    path("checks/<int:pk>/", views.check_detail, name="check"),
    path("checks/<int:pk>/proof/", views.check_proof, name="check_proof"),
]
