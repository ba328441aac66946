"""Public pages at the site root. Policy pages (政策宣讲) join under /policy/."""
from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
]
