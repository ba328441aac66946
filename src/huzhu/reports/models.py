"""Summary tables behind the dashboards: rebuilt per plan year by `services.refresh_summaries`.

Each is a set-based aggregate of the claims and enrollment tables at the grain the dashboards
need, so the province page reads thousands of rows instead of millions. Unit grain for what
drills down to units (coverage and money); county grain for the rest (statuses, diagnoses,
review speed), which a unit's own page computes live from its few claims.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


def money(label: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=0)


class UnitYearFigures(models.Model):
    """One unit in one plan year: people covered, money in, claims and benefits out."""

    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("members.MemberUnit", on_delete=models.CASCADE, related_name="+")
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    covered = models.PositiveIntegerField(_("参互人次"), default=0)
    eligible = models.PositiveIntegerField(_("应参互人数"), default=0)
    contribution_amount = money(_("互助金"))
    subsidy_amount = money(_("工会补贴"))
    claims = models.PositiveIntegerField(_("申领件数"), default=0)
    decided = models.PositiveIntegerField(_("审批通过件数"), default=0)
    beneficiaries = models.PositiveIntegerField(_("受益人次"), default=0)
    benefit_amount = money(_("补助金"))
    paid_amount = money(_("已支付补助金"))

    class Meta:
        verbose_name = _("单位年度汇总")
        verbose_name_plural = _("单位年度汇总")
        constraints = [models.UniqueConstraint(fields=["plan_year", "unit"], name="one_unit_year_figures")]
        indexes = [models.Index(fields=["plan_year", "league"]), models.Index(fields=["plan_year", "county"])]


class ClaimFigures(models.Model):
    """Claims of one county and plan year by type, status, women's tier and straight-through."""

    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.CASCADE, related_name="+")
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    claim_type = models.CharField(max_length=20)
    status = models.CharField(max_length=15)
    tier = models.CharField(max_length=2, blank=True)
    straight_through = models.BooleanField(default=False)
    claims = models.PositiveIntegerField(default=0)
    benefit_amount = money(_("补助金"))

    class Meta:
        indexes = [models.Index(fields=["plan_year", "league"]), models.Index(fields=["plan_year", "county"])]


class DiagnosisFigures(models.Model):
    """Approved claims of one county and plan year by ICD-10 category (first three characters)."""

    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.CASCADE, related_name="+")
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=3)
    claims = models.PositiveIntegerField(default=0)
    benefit_amount = money(_("补助金"))

    class Meta:
        indexes = [models.Index(fields=["plan_year", "league"]), models.Index(fields=["plan_year", "county"])]


class ReviewStepFigures(models.Model):
    """How long claims of one county stayed at a review step: a histogram in whole days.

    Percentiles of a region are read off the summed histograms, so they are exact to the day.
    """

    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.CASCADE, related_name="+")
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=15)
    days = models.PositiveIntegerField()
    claims = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["plan_year", "league"]), models.Index(fields=["plan_year", "county"])]


class SummaryRefresh(models.Model):
    """When a plan year's summaries were last rebuilt (the dashboards say how fresh they are)."""

    plan_year = models.OneToOneField("plans.PlanYear", on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("汇总刷新记录")
        verbose_name_plural = _("汇总刷新记录")


class ServiceDigest(models.Model):
    """The weekly service-level digest (服务时效周报) of one office's scope: composed once a week, mailed once.

    `region` is the league of an office or the county of an agency point; empty for the association (the province).
    """

    region = models.ForeignKey("regions.Division", verbose_name=_("管辖区划"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    week_start = models.DateField(_("周起始日"))
    content = models.JSONField(_("内容"), default=dict)
    recipients = models.JSONField(_("收件人"), default=list, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务时效周报")
        verbose_name_plural = _("服务时效周报")
        constraints = [
            models.UniqueConstraint(fields=["region", "week_start"], condition=models.Q(region__isnull=False),
                                    name="one_service_digest_per_region_and_week"),
            models.UniqueConstraint(fields=["week_start"], condition=models.Q(region__isnull=True),
                                    name="one_province_service_digest_per_week"),
        ]
        indexes = [models.Index(fields=["region", "-week_start"])]
