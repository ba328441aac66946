from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The top floor: demo and synthetic data generators, writing through every app's services."""

    name = "huzhu.demo"
    label = "demo"
    verbose_name = _("演示数据")
