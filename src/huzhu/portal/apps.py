from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "huzhu.portal"
    verbose_name = _("公开页面与职工自助")
    label = "portal"
