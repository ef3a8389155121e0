from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("signup/", views.signup, name="signup"),
    path("verify/", views.verify_contact, name="verify_contact"),
    path("verify/code/", views.contact_code, name="contact_code"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("language/", views.set_language, name="set_language"),
    path("enterprises/new/", views.enterprise_register, name="enterprise_register"),
    path("enterprises/<str:ice>/", views.enterprise_detail, name="enterprise"),
    path("invitations/<int:pk>/", views.answer_invitation, name="answer_invitation"),
]
