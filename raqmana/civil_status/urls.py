from django.urls import path

from . import views

app_name = "civil_status"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("acts/new/<str:kind>/", views.act_new, name="act_new"),
    path("acts/<int:pk>/", views.act_detail, name="act"),
    path("acts/<int:pk>/edit/", views.act_edit, name="act_edit"),
    path("acts/<int:pk>/sign/", views.act_sign, name="act_sign"),
    path("acts/<int:pk>/abandon/", views.act_abandon, name="act_abandon"),
    path("acts/<int:pk>/mentions/new/", views.mention_new, name="mention_new"),
    path("search/", views.search, name="search"),
    path("names/suggest/", views.suggest, name="suggest"),
    path("pre-declarations/", views.pre_declarations_filed, name="pre_declarations"),
    path("pre-declarations/new/", views.pre_declaration_new, name="pre_declaration_new"),
    path("death-notices/<int:pk>/noted/", views.death_notice_noted, name="death_notice_noted"),
    path("pre-declarations/<int:pk>/dismiss/", views.pre_declaration_dismiss, name="pre_declaration_dismiss"),
]
