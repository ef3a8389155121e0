from django.urls import path

from . import views

# Mounted by raqmana/urls.py under /legalisation/.
app_name = "legalisation"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.prepare, name="prepare"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.request_page, name="request"),
    path("<int:pk>/legalised.pdf", views.request_pdf, name="request_pdf"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    # The office's officers, and those who read its register.
    path("office/", views.queue, name="queue"),
    path("office/counter/", views.counter, name="counter"),
    path("office/enrol/", views.enrol, name="enrol"),
    path("office/register/<int:office>/<int:year>/", views.register, name="register"),
    path("office/<int:pk>/", views.handle, name="handle"),
    path("office/<int:pk>/document.pdf", views.brought, name="brought"),
    path("office/<int:pk>/specimen/", views.specimen, name="specimen"),
    path("office/<int:pk>/legalised.pdf", views.output_pdf, name="output_pdf"),
    path("office/<int:pk>/complete/", views.complete, name="complete"),
    path("office/<int:pk>/refuse/", views.refuse, name="refuse"),
]
