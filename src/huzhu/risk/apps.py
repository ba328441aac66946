from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "huzhu.risk"
    verbose_name = _("风险防控")

    def ready(self):
        from huzhu.claims.screening import register_risk_pages, register_screen
        from huzhu.core import todo

        from .services import assess_claim
        from .todos import post_audit_todos
        from .views import claim_page_risk, claim_queue_risk

        register_screen(assess_claim)  # every submission is screened; claims does not import risk
        register_risk_pages(queue=claim_queue_risk, claim_page=claim_page_risk)
        todo.register(post_audit_todos, order=60)
