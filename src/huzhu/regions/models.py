"""Administrative divisions (GB/T 2260), offices, agency points and staff scopes."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import ADMINISTRATOR_ROLES, Role  # noqa: F401 - the roles stay importable from here


class Division(models.Model):
    """A league-level (盟市) or county-level (旗县) division, keyed by its GB/T 2260 code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        LEAGUE = "league", _("盟市")
        COUNTY = "county", _("旗县")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=10, blank=True, help_text="旗/县/区/市/盟")
    parent = models.ForeignKey("self", verbose_name=_("上级区划"), on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """A league/city office (办事处), second review; at least two staff (DOMAIN.md)."""

    league = models.OneToOneField(Division, verbose_name=_("盟市"), on_delete=models.PROTECT, related_name="office")
    name = models.CharField(_("名称"), max_length=100)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("办事处")
        verbose_name_plural = _("办事处")

    def __str__(self) -> str:
        return self.name


class AgencyPoint(models.Model):
    """A county agency point (代办点), first review; at least one staff member."""

    county = models.OneToOneField(Division, verbose_name=_("旗县"), on_delete=models.PROTECT, related_name="agency_point")
    office = models.ForeignKey(Office, verbose_name=_("办事处"), on_delete=models.PROTECT, related_name="agency_points")
    name = models.CharField(_("名称"), max_length=100)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("代办点")
        verbose_name_plural = _("代办点")

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """A staff account's role and region scope (province, one league, one county, one unit)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("行政区划"), on_delete=models.PROTECT, null=True, blank=True, help_text=_("空 = 全区")
    )
    unit = models.ForeignKey("members.MemberUnit", verbose_name=_("所属单位"), on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
