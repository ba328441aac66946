"""The admin site speaks Chinese: its header, every app's name, and every column and field label of
the pages it shows (Django's defaults would be "Django 管理", "REGIONS", "league", "created at")."""
import re

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import flatten_fieldsets
from django.contrib.admin.utils import label_for_field


def _is_english(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{3,}", text)) and not re.search(r"[\u4e00-\u9fff]", text)


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chaoji", password="x-unused-9876"))
    return client


def test_the_admin_index_header_and_app_names_are_chinese(superuser_client):
    page = superuser_client.get("/admin/").content.decode()
    assert "Django 管理" not in page and "互助 · 系统管理" in page
    english = {str(m._meta.app_config.verbose_name) for m in admin.site._registry
               if _is_english(str(m._meta.app_config.verbose_name))}
    assert not english, english


@pytest.mark.parametrize("model", [m for m in admin.site._registry if m._meta.app_label != "auth"],
                         ids=lambda m: m._meta.label)
def test_every_column_and_field_label_of_an_admin_page_is_chinese(rf, django_user_model, model):
    request = rf.get("/admin/")
    request.user = django_user_model.objects.create_superuser("chaoji", password="x-unused-9876")
    model_admin = admin.site._registry[model]
    names = [*model_admin.get_list_display(request), *flatten_fieldsets(model_admin.get_fieldsets(request)),
             *model_admin.get_readonly_fields(request)]
    labels = {name: str(label_for_field(name, model, model_admin)) for name in names if name != "__str__"}
    english = {name: label for name, label in labels.items() if _is_english(label)}
    assert not english, english
