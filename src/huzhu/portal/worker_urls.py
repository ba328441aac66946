"""The worker's door, mounted at /me/: sign in with the SMS code (security), then her own pages."""
from django.urls import path

from huzhu.security import views as security_views

from . import views

app_name = "me"
urlpatterns = [
    path("", views.worker_home, name="home"),
    path("sign-in/", security_views.worker_sign_in, name="sign_in"),
    path("sign-out/", security_views.worker_sign_out, name="sign_out"),
    path("bank-card/", security_views.worker_bank_card, name="bank_card"),
    path("data-consent/", views.worker_data_consent, name="data_consent"),
    path("claims/<int:pk>/bank-card/", views.worker_claim_card, name="claim_card"),
]
