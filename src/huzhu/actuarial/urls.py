from django.urls import path

from . import views

app_name = "actuarial"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/whatif/", views.whatif, name="whatif"),
    path("new/<str:kind>/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/rerun/", views.rerun, name="rerun"),
    path("<int:pk>/report.pdf", views.pdf, name="pdf"),
    path("<int:pk>/report.xlsx", views.xlsx, name="xlsx"),
]
