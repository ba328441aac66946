from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "huzhu.enrollment"
    verbose_name = _("团体参互")
    label = "enrollment"

    def ready(self):
        from huzhu.ledger import queries as ledger_queries

        from . import queries

        ledger_queries.register_unearned_reader(queries.unearned_contributions)
        ledger_queries.register_source_reader("enrollment", queries.ledger_sources)
