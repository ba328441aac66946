"""The double-entry fund ledger: accounts per plan year, append-only entries and their postings.

A posting's amount is signed (debit +, credit -); every entry's postings sum to zero. Services
write; nothing updates or deletes an entry or posting (corrections are reversing entries), and on
PostgreSQL triggers refuse both an unbalanced commit and any UPDATE/DELETE (migration 0002).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import rules


class Account(models.Model):
    """One account of a plan year's chart; working-fund accounts belong to an office or agency point."""

    class Type(models.TextChoices):
        ASSET = rules.ASSET, _("资产")
        LIABILITY = rules.LIABILITY, _("负债")
        EQUITY = rules.EQUITY, _("基金权益")
        INCOME = rules.INCOME, _("收入")
        EXPENSE = rules.EXPENSE, _("支出")

    plan_year = models.ForeignKey("plans.PlanYear", verbose_name=_("年度方案"), on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("科目代码"), max_length=20)
    name = models.CharField(_("科目名称"), max_length=100)
    type = models.CharField(_("类别"), max_length=10, choices=Type.choices)
    office = models.ForeignKey("regions.Office", verbose_name=_("办事处"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency_point = models.ForeignKey("regions.AgencyPoint", verbose_name=_("代办点"), on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        verbose_name = _("会计科目")
        verbose_name_plural = _("会计科目")
        ordering = ["plan_year_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "code"], name="one_account_code_per_plan_year"),
            models.CheckConstraint(condition=Q(office__isnull=True) | Q(agency_point__isnull=True),
                                   name="account_of_office_or_agency_point"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_credit_normal(self) -> bool:
        return self.type in rules.CREDIT_NORMAL


class LedgerEntry(models.Model):
    """A journal entry: what caused it (cause_type, cause_id, kind) can be posted only once."""

    plan_year = models.ForeignKey("plans.PlanYear", verbose_name=_("年度方案"), on_delete=models.PROTECT, related_name="ledger_entries")
    posted_on = models.DateField(_("记账日期"))
    memo = models.CharField(_("摘要"), max_length=200)
    cause_type = models.CharField(_("来源类型"), max_length=30)
    # NULL, not "", for causes without an id (adjustments): NULLs never collide in the unique constraint.
    cause_id = models.CharField(_("来源编号"), max_length=64, null=True, blank=True)  # noqa: DJ001
    kind = models.CharField(_("业务类型"), max_length=60)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by", verbose_name=_("冲销的分录"))
    is_adjustment = models.BooleanField(_("调整分录"), default=False)
    # Posted to the plan year after its close (a late claim decided, its payout): shown apart as 往年调整.
    is_prior_year_adjustment = models.BooleanField(_("往年调整"), default=False, db_default=False)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("记账分录")
        verbose_name_plural = _("记账分录")
        ordering = ["posted_on", "id"]
        constraints = [
            # Idempotency: the same event (a claim approved, a payout paid) posts once.
            models.UniqueConstraint(fields=["cause_type", "cause_id", "kind"], name="one_entry_per_cause_and_kind"),
            models.CheckConstraint(condition=Q(is_adjustment=False) | ~Q(reason=""),
                                   name="adjustment_has_a_reason"),
            models.CheckConstraint(condition=Q(is_prior_year_adjustment=False) | Q(is_adjustment=True),
                                   name="prior_year_adjustment_is_an_adjustment"),
        ]
        indexes = [models.Index(fields=["plan_year", "posted_on"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.posted_on} {self.memo}"


class Posting(models.Model):
    """One line of an entry: a signed amount on one account (debit +, credit -)."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("分录行")
        verbose_name_plural = _("分录行")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="posting_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"


class Budget(models.Model):
    """Working funds budgeted for one office or agency point in a plan year (allocated at close)."""

    plan_year = models.ForeignKey("plans.PlanYear", verbose_name=_("年度方案"), on_delete=models.PROTECT, related_name="budgets")
    office = models.ForeignKey("regions.Office", verbose_name=_("办事处"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency_point = models.ForeignKey("regions.AgencyPoint", verbose_name=_("代办点"), on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    amount = models.DecimalField(_("预算金额"), max_digits=14, decimal_places=2)
    set_at = models.DateTimeField(_("设定时间"), auto_now=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设定人"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")

    class Meta:
        verbose_name = _("工作经费预算")
        verbose_name_plural = _("工作经费预算")
        constraints = [
            models.CheckConstraint(
                condition=(Q(office__isnull=False) & Q(agency_point__isnull=True))
                | (Q(office__isnull=True) & Q(agency_point__isnull=False)),
                name="budget_of_office_or_agency_point"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
            models.UniqueConstraint(fields=["plan_year", "office"], condition=Q(office__isnull=False),
                                    name="one_budget_per_office_and_year"),
            models.UniqueConstraint(fields=["plan_year", "agency_point"], condition=Q(agency_point__isnull=False),
                                    name="one_budget_per_agency_point_and_year"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_year} {self.office or self.agency_point}: {self.amount}"


class YearClose(models.Model):
    """A plan year's books are closed: appropriations posted; only adjustments with a reason follow."""

    plan_year = models.OneToOneField("plans.PlanYear", verbose_name=_("年度方案"), on_delete=models.PROTECT, related_name="ledger_close")
    contributions_amount = models.DecimalField(_("互助金收入"), max_digits=14, decimal_places=2)
    reserve_amount = models.DecimalField(_("提取总准备金"), max_digits=14, decimal_places=2)
    working_funds_amount = models.DecimalField(_("分配工作经费"), max_digits=14, decimal_places=2)
    closed_at = models.DateTimeField(_("结账时间"), auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("结账人"), on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = _("年度结账")
        verbose_name_plural = _("年度结账")

    def __str__(self) -> str:
        return gettext("%(year)s 已结账") % {"year": self.plan_year}


class AccountMapping(models.Model):
    """Our account (or a parent code covering its sub-accounts, e.g. 2301 for every 2301-<division>) → the
    account of the association's books in the 民间非营利组织会计制度 chart, which vouchers are exported to."""

    account_code = models.CharField(_("本系统科目代码"), max_length=20, unique=True)
    external_code = models.CharField(_("会计科目编码"), max_length=40)
    external_name = models.CharField(_("会计科目名称"), max_length=100)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")

    class Meta:
        verbose_name = _("科目对照")
        verbose_name_plural = _("科目对照")
        ordering = ["account_code"]

    def __str__(self) -> str:
        return f"{self.account_code} → {self.external_code} {self.external_name}"
