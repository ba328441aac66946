from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "huzhu.core"
    verbose_name = _("基础")
    label = "core"

    def ready(self) -> None:
        from django.utils.translation import gettext

        from huzhu.core import errors

        errors.translate = gettext  # pure modules' messages (gettext_noop + params) in the request's language
