"""Group enrollment (团体参互) for a plan year and the coverages (保障凭证) it creates."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Enrollment(models.Model):
    """A unit's enrollment in one plan year: the batch of workers it covers and pays for."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交待缴费")
        PAID = "paid", _("已缴费")
        CANCELLED = "cancelled", _("已撤销")

    unit = models.ForeignKey("members.MemberUnit", on_delete=models.PROTECT, related_name="enrollments")
    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    headcount = models.PositiveIntegerField(_("参互人数"), default=0)
    contribution_amount = models.DecimalField(_("互助金合计"), max_digits=14, decimal_places=2, default=0)
    subsidy_amount = models.DecimalField(_("工会补贴合计"), max_digits=14, decimal_places=2, default=0)
    paid_amount = models.DecimalField(_("实缴金额"), max_digits=14, decimal_places=2, default=0)
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("团体参互")
        verbose_name_plural = _("团体参互")
        indexes = [models.Index(fields=["plan_year", "county"]), models.Index(fields=["plan_year", "league"])]


class Coverage(models.Model):
    """One worker covered by one plan year. One per person and plan year across the scheme."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待缴费")
        ACTIVE = "active", _("有效")
        CANCELLED = "cancelled", _("已撤销")

    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, related_name="coverages")
    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.PROTECT, related_name="coverages")
    unit = models.ForeignKey("members.MemberUnit", on_delete=models.PROTECT, related_name="coverages")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="coverages")
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    certificate_no = models.CharField(_("保障凭证号"), max_length=30, null=True, blank=True, unique=True)
    starts_on = models.DateField(_("保障起期"), null=True, blank=True)
    ends_on = models.DateField(_("保障止期"), null=True, blank=True)
    consecutive_years = models.PositiveSmallIntegerField(_("连续参互年数"), default=1)
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    contribution_amount = models.DecimalField(_("互助金"), max_digits=14, decimal_places=2)
    subsidy_amount = models.DecimalField(_("工会补贴"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保障凭证")
        verbose_name_plural = _("保障凭证")
        constraints = [
            models.UniqueConstraint(fields=["worker", "plan_year"],
                                    condition=~models.Q(status="cancelled"),
                                    name="one_coverage_per_worker_and_plan_year"),
        ]
        indexes = [
            models.Index(fields=["plan_year", "county"]),
            models.Index(fields=["plan_year", "league"]),
            models.Index(fields=["unit", "plan_year"]),
        ]
