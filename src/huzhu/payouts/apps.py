from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "huzhu.payouts"
    verbose_name = _("补助金支付")

    def ready(self):
        from huzhu.claims import queries as claim_queries
        from huzhu.core import todo
        from huzhu.ledger import queries as ledger_queries

        from . import checks, queries, todos  # noqa: F401 - checks registers the deploy check

        ledger_queries.register_source_reader("payout", queries.ledger_sources)
        claim_queries.register_settlement_to_sent_reader(queries.data_claims_settlement_to_sent)
        claim_queries.register_in_payment_reader(queries.claims_in_payment)
        todo.register(todos.payout_todos, order=20)
