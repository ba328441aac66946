from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "huzhu.payouts"
    verbose_name = _("补助金支付")
