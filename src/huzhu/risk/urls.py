from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.index, name="index"),
    path("findings/<int:pk>/review/", views.review, name="review"),
]
