from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActuarialConfig(AppConfig):
    name = "huzhu.actuarial"
    label = "actuarial"
    verbose_name = _("精准测算")
