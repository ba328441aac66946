from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "huzhu.archives"
    label = "archives"
