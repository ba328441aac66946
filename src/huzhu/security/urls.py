from django.urls import path

from . import administration, views

app_name = "security"
urlpatterns = [
    path("login/code/", views.login_totp, name="login_totp"),
    path("two-factor/", views.totp, name="totp"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("workers/<int:worker_pk>/reveal/", views.reveal, name="reveal"),
    path("units/<int:unit_pk>/reveal-phone/", views.reveal_unit_phone, name="reveal_unit_phone"),
    # 三员分立: the security administrator's and the audit administrator's pages (404 for other roles).
    path("administration/", administration.security_admin, name="security_admin"),
    path("administration/<int:user_pk>/unlock/", administration.unlock, name="unlock"),
    path("administration/<int:user_pk>/reset-totp/", administration.reset_totp, name="reset_totp"),
    path("audit-log/", administration.audit_log, name="audit_log"),
    path("audit-log/export/", administration.audit_log_export, name="audit_log_export"),
    path("access-log/", administration.access_log, name="access_log"),
    path("access-log/export/", administration.access_log_export, name="access_log_export"),
]
