from django.apps import AppConfig


class ActuarialConfig(AppConfig):
    name = "huzhu.actuarial"
    label = "actuarial"
    verbose_name = "精准测算"
