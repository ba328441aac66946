"""The worker's complaint pages, mounted at /me/complaints/ (signed in as on every /me/ page)."""
from django.urls import path

from . import views

app_name = "my_complaints"
urlpatterns = [
    path("", views.mine, name="list"),
    path("new/", views.mine_new, name="new"),
    path("<int:pk>/close/", views.mine_close, name="close"),
]
