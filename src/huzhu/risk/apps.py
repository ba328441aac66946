from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "huzhu.risk"
    verbose_name = "风险防控"
