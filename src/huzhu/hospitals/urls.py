from django.urls import path

from . import views

app_name = "hospitals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.hospital_edit, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.hospital_edit, name="edit"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/tokens/", views.token_issue, name="token_issue"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("<int:pk>/batches/", views.batch_build, name="batch_build"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/lines.xlsx", views.batch_lines, name="batch_lines"),
    path("batches/<int:pk>/statement/", views.batch_statement, name="batch_statement"),
    path("batches/<int:pk>/paid/", views.batch_paid, name="batch_paid"),
    path("batches/<int:pk>/failed/", views.batch_failed, name="batch_failed"),
    path("batches/<int:pk>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("disputes/", views.disputes, name="disputes"),
    path("disputes/<int:pk>/resolve/", views.dispute_resolve, name="dispute_resolve"),
]
