from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "huzhu.claims"
    verbose_name = _("申领审核")
    label = "claims"

    def ready(self):
        from huzhu.core import todo
        from huzhu.ledger import queries as ledger_queries
        from huzhu.members import queries as member_queries

        from . import queries, review_clock, todos

        review_clock.use_entered_days(queries.official_days)  # the review clock stays free of the ORM
        ledger_queries.register_source_reader("claim", queries.ledger_sources)
        member_queries.register_worker_reader("claims", queries.claims_of_worker_in_scope)
        member_queries.register_worker_reader("documents", queries.documents_of_worker)
        member_queries.register_unit_reader("claims", queries.claims_of_unit)
        todo.register(todos.claim_todos, order=10)  # the 工作台 opens with the claims waiting
