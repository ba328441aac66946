from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:plan>/<int:year>/", views.year_detail, name="year_detail"),
    path("<slug:plan>/<int:year>/new-version/", views.new_version, name="new_version"),
    path("<slug:plan>/<int:year>/diff/", views.version_diff, name="version_diff"),
    path("<slug:plan>/<int:year>/open/", views.open_year, name="open_year"),
    path("<slug:plan>/<int:year>/close/", views.close_year, name="close_year"),
    path("<slug:plan>/<int:year>/copy/", views.copy_year, name="copy_year"),
]
