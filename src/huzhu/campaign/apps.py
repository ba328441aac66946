from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "huzhu.campaign"
    label = "campaign"
    verbose_name = _("参互推进与考核")
