from django.urls import path

from . import views

app_name = "actuarial"
urlpatterns = [
    path("", views.index, name="index"),
]
