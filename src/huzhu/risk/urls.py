from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.index, name="index"),
    path("findings/<int:pk>/review/", views.review, name="review"),
    path("post-audit/", views.post_audit, name="post_audit"),
    path("post-audit/draw/", views.draw_post_audit, name="draw_post_audit"),
    path("post-audit/<int:pk>/", views.post_audit_detail, name="post_audit_detail"),
    path("post-audit/<int:pk>/outcome/", views.post_audit_outcome, name="post_audit_outcome"),
]
