"""The enrollment campaign: targets, daily progress snapshots, follow-up of units, outreach."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.Model):
    """The association's enrollment target for one plan year and one league or county."""

    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField(_("目标单位数"))
    people = models.PositiveIntegerField(_("目标人数"))
    reason = models.CharField(_("低于上年的原因"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("参互目标")
        verbose_name_plural = _("参互目标")
        constraints = [models.UniqueConstraint(fields=["plan_year", "division"], name="one_target_per_division")]

    def __str__(self) -> str:
        return f"{self.plan_year} {self.division_id}: {self.units}/{self.people}"


class ProgressSnapshot(models.Model):
    """One day's progress of one league or county, as the daily job saw it (burn-up history)."""

    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    taken_on = models.DateField(_("日期"))
    units_last_year = models.PositiveIntegerField(default=0)
    people_last_year = models.PositiveIntegerField(default=0)
    units_target = models.PositiveIntegerField(default=0)
    people_target = models.PositiveIntegerField(default=0)
    units_enrolled = models.PositiveIntegerField(default=0)
    renewed_units = models.PositiveIntegerField(default=0)
    new_units = models.PositiveIntegerField(default=0)
    lost_units = models.PositiveIntegerField(default=0)
    people_enrolled = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("进度快照")
        verbose_name_plural = _("进度快照")
        constraints = [models.UniqueConstraint(fields=["plan_year", "division", "taken_on"],
                                               name="one_snapshot_per_division_and_day")]
        indexes = [models.Index(fields=["plan_year", "taken_on"])]

    def __str__(self) -> str:
        return f"{self.plan_year_id} {self.division_id} {self.taken_on}"


class FollowUp(models.Model):
    """A staff member following one unit not yet renewed for a plan year (one per unit and year)."""

    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("members.MemberUnit", on_delete=models.PROTECT, related_name="follow_ups")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("跟进人"))
    assigned_on = models.DateField(_("认领日期"), null=True, blank=True)
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    next_due_on = models.DateField(_("下一步期限"), null=True, blank=True)
    last_contact_on = models.DateField(_("最近联系"), null=True, blank=True)
    contact_count = models.PositiveIntegerField(_("联系次数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重点单位跟进")
        verbose_name_plural = _("重点单位跟进")
        constraints = [models.UniqueConstraint(fields=["plan_year", "unit"], name="one_follow_up_per_unit_and_year")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.plan_year}"


class ContactLog(models.Model):
    """One contact with a unit: when, how, what came of it, and the next step with its due date."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("电话")
        VISIT = "visit", _("上门走访")
        MEETING = "meeting", _("座谈会")
        MESSAGE = "message", _("微信/短信")
        LETTER = "letter", _("函件")

    class Outcome(models.TextChoices):
        WILL_RENEW = "will_renew", _("同意续互")
        CONSIDERING = "considering", _("研究考虑中")
        NEEDS_HELP = "needs_help", _("需协助办理")
        DECLINED = "declined", _("明确不续")
        UNREACHABLE = "unreachable", _("未联系上")

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="contacts")
    contacted_on = models.DateField(_("联系日期"))
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    next_due_on = models.DateField(_("下一步期限"), null=True, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-contacted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.follow_up_id} {self.contacted_on} {self.outcome}"


class OutreachEvent(models.Model):
    """An outreach activity (宣讲, 培训, 进厂矿/企业/学校/社区, hotline broadcast) of an office or agency point."""

    class Kind(models.TextChoices):
        BRIEFING = "briefing", _("政策宣讲")
        TRAINING = "training", _("经办培训")
        MINE = "mine", _("进厂矿")
        ENTERPRISE = "enterprise", _("进企业")
        SCHOOL = "school", _("进学校")
        COMMUNITY = "community", _("进社区")
        HOTLINE = "hotline", _("热线/广播")

    held_on = models.DateField(_("日期"))
    kind = models.CharField(_("形式"), max_length=12, choices=Kind.choices)
    place = models.CharField(_("地点"), max_length=200)
    audience_size = models.PositiveIntegerField(_("受众人数"), default=0)
    materials_count = models.PositiveIntegerField(_("发放资料（份）"), default=0)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # The organiser's region: an office has a league only, an agency point a county too; both empty = association.
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    units_reached = models.ManyToManyField("members.MemberUnit", blank=True, related_name="+",
                                           verbose_name=_("覆盖单位"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["league", "held_on"]), models.Index(fields=["county", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.place}"
