from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "huzhu.plans"
    verbose_name = _("年度方案")
    label = "plans"
