from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "huzhu.members"
    label = "members"
