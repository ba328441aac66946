from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "huzhu.members"
    verbose_name = _("会员单位与职工")
    label = "members"
