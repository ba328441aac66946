from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "huzhu.archives"
    verbose_name = _("档案")
    label = "archives"
