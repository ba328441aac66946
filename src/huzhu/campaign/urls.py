from django.urls import path

from . import views

app_name = "campaign"
urlpatterns = [
    path("", views.progress, name="progress"),
    path("targets/", views.targets, name="targets"),
    path("follow-up/", views.follow_up_list, name="follow_up_list"),
    path("follow-up/<int:unit_pk>/", views.follow_up, name="follow_up"),
    path("follow-up/<int:unit_pk>/take/", views.take, name="take"),
    path("follow-up/<int:unit_pk>/release/", views.release, name="release"),
    path("follow-up/<int:unit_pk>/contact/", views.log_contact, name="log_contact"),
    path("outreach/", views.outreach, name="outreach"),
    path("outreach/new/", views.outreach_new, name="outreach_new"),
    path("staffing/", views.staffing, name="staffing"),
    path("evaluation/", views.evaluation, name="evaluation"),
]
