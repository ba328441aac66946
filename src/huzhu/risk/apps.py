from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "huzhu.risk"
    verbose_name = _("风险防控")

    def ready(self):
        from huzhu.claims.screening import register_screen

        from .services import assess_claim

        register_screen(assess_claim)  # every submission is screened; claims does not import risk
