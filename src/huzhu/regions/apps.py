from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "huzhu.regions"
    label = "regions"
