from django.urls import path

from . import views

# Mounted by raqmana/urls.py under /complaints/.
app_name = "complaints"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.file, name="file"),
    path("follow/", views.follow, name="follow"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.complaint, name="complaint"),
    path("<int:pk>/answer.pdf", views.answer_pdf, name="answer_pdf"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    # The collectivity's handlers and supervisors.
    path("office/", views.queue, name="queue"),
    path("office/<int:pk>/", views.handle, name="handle"),
    path("office/<int:pk>/forward/", views.forward, name="forward"),
    path("office/<int:pk>/answer/", views.answer, name="answer"),
    path("office/<int:pk>/not-admissible/", views.not_admissible, name="not_admissible"),
]
