from django.urls import path

from . import views

app_name = "settlements"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.job, name="job"),
    path("imports/<int:pk>/progress/", views.progress, name="progress"),
    path("imports/<int:pk>/errors.xlsx", views.errors, name="errors"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/new/", views.agreement_edit, name="agreement_new"),
    path("agreements/<int:pk>/", views.agreement_edit, name="agreement_edit"),
]
