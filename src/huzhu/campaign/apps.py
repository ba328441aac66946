from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "huzhu.campaign"
    label = "campaign"
    verbose_name = "参互推进与考核"
