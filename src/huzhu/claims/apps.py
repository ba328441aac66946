from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "huzhu.claims"
    verbose_name = _("申领审核")
    label = "claims"

    def ready(self):
        from . import queries, review_clock

        review_clock.use_entered_days(queries.official_days)  # the review clock stays free of the ORM
