from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("offices/", views.office_finder, name="office_finder"),
    path("communes/suggest/", views.commune_suggestions, name="commune_suggestions"),
    path("workspace/", views.workspace, name="workspace"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/<str:code>/", views.supervision, name="supervision_territory"),
    path("notifications/undelivered/", views.undelivered_notifications, name="undelivered_notifications"),
    path("notifications/<int:pk>/resend/", views.resend_notification, name="resend_notification"),
]
