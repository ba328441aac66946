from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("login/code/", views.login_totp, name="login_totp"),
    path("two-factor/", views.totp, name="totp"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("workers/<int:worker_pk>/reveal/", views.reveal, name="reveal"),
]
