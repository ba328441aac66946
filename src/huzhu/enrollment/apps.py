from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "huzhu.enrollment"
    verbose_name = _("团体参互")
    label = "enrollment"

    def ready(self):
        from huzhu.ledger import queries as ledger_queries
        from huzhu.members import queries as member_queries

        from . import queries

        ledger_queries.register_unearned_reader(queries.unearned_contributions)
        ledger_queries.register_source_reader("enrollment", queries.ledger_sources)
        member_queries.register_worker_reader("coverages", queries.coverages_of_worker_in_scope)
        member_queries.register_unit_reader("enrollments", queries.enrollments_of_unit)
        member_queries.register_unit_reader("payments", queries.payments_of_unit)
