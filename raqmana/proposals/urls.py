from django.urls import path

from . import views

# Mounted by raqmana/urls.py under /proposals/.
app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("good-practices/", views.good_practices, name="good_practices"),
    path("new/", views.submit, name="submit"),
    path("<int:pk>/", views.proposal, name="proposal"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/move/", views.move, name="move"),
    path("files/<int:pk>/", views.proposal_file, name="file"),
]
