from django.urls import path

from . import policy

app_name = "portal"
urlpatterns = [
    # Public policy pages (政策宣讲)
    path("policy/", policy.index, name="policy_index"),
    path("policy/<slug:plan>/<int:year>/", policy.plan_year, name="policy_year"),
]
