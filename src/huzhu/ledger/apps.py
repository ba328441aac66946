from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "huzhu.ledger"
    label = "ledger"
    verbose_name = "基金账务"
