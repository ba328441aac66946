from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "huzhu.webhooks"
    verbose_name = "事件回调"
