from django.urls import path

from . import views

# Mounted by raqmana/urls.py under /mail/.
app_name = "mail_registry"
urlpatterns = [
    path("", views.search, name="search"),
    path("register/", views.register, name="register"),
    path("day/", views.day_register, name="day"),
    path("day.csv", views.day_register_csv, name="day_csv"),
    path("day.pdf", views.day_register_pdf, name="day_pdf"),
    path("<int:pk>/", views.letter, name="letter"),
    path("scans/<int:pk>/", views.scan, name="scan"),
]
