from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from huzhu.actuarial import urls as actuarial_urls
from huzhu.api import api
from huzhu.campaign import urls as campaign_urls
from huzhu.claims import urls as claims_urls
from huzhu.complaints import urls as complaints_urls
from huzhu.complaints import worker_urls as complaints_worker_urls
from huzhu.core import views as core_views
from huzhu.enrollment import urls as enrollment_urls
from huzhu.enrollment import views as enrollment_views
from huzhu.hospitals import urls as hospitals_urls
from huzhu.ledger import urls as ledger_urls
from huzhu.members import urls as members_urls
from huzhu.payouts import urls as payouts_urls
from huzhu.plans import urls as plans_urls
from huzhu.portal import urls as portal_urls
from huzhu.portal import worker_urls as portal_worker_urls
from huzhu.reports import urls as reports_urls
from huzhu.risk import urls as risk_urls
from huzhu.security import urls as security_urls
from huzhu.security import views as security_views
from huzhu.settlements import urls as settlements_urls

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path("login/", security_views.LoginView.as_view(), name="login"),  # lockout + TOTP
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", security_views.admin_login),
    path("admin/", admin.site.urls),
    path("security/", include(security_urls)),
    path("me/complaints/", include(complaints_worker_urls)),
    path("me/", include(portal_worker_urls)),
    # Public check of an electronic certificate's QR code (a signed token, never the bare number).
    path("verify/<str:token>/", enrollment_views.verify_certificate, name="verify_certificate"),
    path("api/v1/", api.urls),
    path("members/", include(members_urls)),
    path("plans/", include(plans_urls)),
    path("enrollment/", include(enrollment_urls)),
    path("claims/", include(claims_urls)),
    path("ledger/", include(ledger_urls)),
    path("payouts/", include(payouts_urls)),
    path("campaign/", include(campaign_urls)),
    path("risk/", include(risk_urls)),
    path("actuarial/", include(actuarial_urls)),
    path("reports/", include(reports_urls)),
    path("settlements/", include(settlements_urls)),
    path("hospitals/", include(hospitals_urls)),
    path("complaints/", include(complaints_urls)),
    path("", include(portal_urls)),
]
