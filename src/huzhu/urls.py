from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from huzhu.api import api
from huzhu.core import views as core_views
from huzhu.enrollment import views as enrollment_views
from huzhu.security import views as security_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path("login/", security_views.LoginView.as_view(), name="login"),  # lockout + TOTP
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", security_views.admin_login),
    path("admin/", admin.site.urls),
    path("security/", include("huzhu.security.urls")),
    path("me/", include("huzhu.portal.worker_urls")),
    # Public check of an electronic certificate's QR code (a signed token, never the bare number).
    path("verify/<str:token>/", enrollment_views.verify_certificate, name="verify_certificate"),
    path("api/v1/", api.urls),
    path("members/", include("huzhu.members.urls")),
    path("plans/", include("huzhu.plans.urls")),
    path("enrollment/", include("huzhu.enrollment.urls")),
    path("claims/", include("huzhu.claims.urls")),
    path("ledger/", include("huzhu.ledger.urls")),
    path("payouts/", include("huzhu.payouts.urls")),
    path("campaign/", include("huzhu.campaign.urls")),
    path("risk/", include("huzhu.risk.urls")),
    path("actuarial/", include("huzhu.actuarial.urls")),
    path("reports/", include("huzhu.reports.urls")),
    path("", include("huzhu.portal.urls")),
]
