from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "huzhu.claims"
    label = "claims"

    def ready(self):
        from . import queries, review_clock

        review_clock.use_entered_days(queries.official_days)  # the review clock stays free of the ORM
