from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("simulated/<str:reference>/", views.simulated, name="simulated"),
    path("returned/<str:provider_name>/", views.returned, name="returned"),
]
