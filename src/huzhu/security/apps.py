from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "huzhu.security"
    verbose_name = _("安全")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401 - registers deploy checks and login auditing
