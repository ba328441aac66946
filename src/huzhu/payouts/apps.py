from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "huzhu.payouts"
    verbose_name = "补助金支付"
