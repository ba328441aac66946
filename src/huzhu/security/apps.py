from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "huzhu.security"
    verbose_name = "安全"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401 - registers deploy checks and login auditing
