from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/pick/", views.unit_pick, name="unit_pick"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:unit_pk>/workers/new/", views.worker_create, name="worker_create"),
    path("units/<int:pk>/data-consent/", views.unit_data_consent, name="unit_data_consent"),
    path("workers/", views.worker_list, name="worker_list"),
    path("workers/<int:pk>/", views.worker_detail, name="worker_detail"),
    path("workers/<int:pk>/data-consent/", views.worker_data_consent, name="worker_data_consent"),
]
