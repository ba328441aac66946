"""The worker's door, mounted at /me/: sign in with the SMS code, then her own pages."""
from django.urls import path

from . import views

app_name = "me"
urlpatterns = [
    path("", views.worker_home, name="home"),
    path("sign-in/", views.worker_sign_in, name="sign_in"),
    path("sign-out/", views.worker_sign_out, name="sign_out"),
    path("bank-card/", views.worker_bank_card, name="bank_card"),
]
