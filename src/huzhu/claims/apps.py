from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "huzhu.claims"
    label = "claims"

    def ready(self):
        from huzhu.ledger import queries as ledger_queries

        from . import queries, review_clock

        review_clock.use_entered_days(queries.official_days)  # the review clock stays free of the ORM
        ledger_queries.register_source_reader("claim", queries.ledger_sources)
