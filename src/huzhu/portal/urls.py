"""Public pages at the site root. Policy pages (政策宣讲) join under /policy/."""
from django.urls import path

from . import policy, views

app_name = "portal"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    # Public policy pages (政策宣讲)
    path("policy/", policy.index, name="policy_index"),
    path("policy/<slug:plan>/<int:year>/", policy.plan_year, name="policy_year"),
]
