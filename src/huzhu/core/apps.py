from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "huzhu.core"
    label = "core"

    def ready(self) -> None:
        from django.utils.translation import gettext

        from huzhu.core import errors

        errors.translate = gettext  # pure modules' messages (gettext_noop + params) in the request's language
