from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "huzhu.complaints"
    label = "complaints"
    verbose_name = _("投诉咨询")

    def ready(self):
        from huzhu.core import todo

        from . import queries

        todo.register(queries.todos_for, order=40)
