from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.refresh, name="refresh"),
    path("service-levels/", views.service_levels_page, name="service_levels"),
    path("export/<slug:table>.xlsx", views.export, name="export"),
    path("annual/<int:year>.pdf", views.annual_report, name="annual"),
]
