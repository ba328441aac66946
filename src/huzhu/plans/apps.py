from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "huzhu.plans"
    label = "plans"
