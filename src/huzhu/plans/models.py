"""Plans (项目), plan years (年度方案) and their versioned terms."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huzhu.core.models import StatusChange

from .terms import PlanYearTerms


class Plan(models.Model):
    """A protection plan, e.g. `hospitalization` or `women_health`."""

    code = models.CharField(_("代码"), max_length=30, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("互助保障项目")
        verbose_name_plural = _("互助保障项目")

    def __str__(self) -> str:
        return self.name


class PlanYear(models.Model):
    """One plan's terms for one protection year. Frozen once it opens: changes make new versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        OPEN = "open", _("已开放")
        CLOSED = "closed", _("已结算")

    plan = models.ForeignKey(Plan, verbose_name=_("互助保障项目"), on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_version = models.ForeignKey(
        "TermsVersion", verbose_name=_("现行条款版本"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("年度方案")
        verbose_name_plural = _("年度方案")
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="one_plan_year")]
        ordering = ["plan_id", "year"]

    def __str__(self) -> str:
        return f"{self.plan.name} {self.year}"

    @property
    def terms(self) -> PlanYearTerms:
        return self.current_version.terms


class PlanYearStatusChange(StatusChange):
    """One move of a plan year's status (plans/workflow.py): who opened or closed it, and when."""

    plan_year = models.ForeignKey(PlanYear, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("年度方案状态变更")
        verbose_name_plural = _("年度方案状态变更")


class TermsVersion(models.Model):
    """An immutable version of a plan year's terms; a claim records the version it was decided under."""

    plan_year = models.ForeignKey(PlanYear, verbose_name=_("年度方案"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    document = models.JSONField(_("条款"))
    reason = models.CharField(_("修订原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("条款版本")
        verbose_name_plural = _("条款版本")
        constraints = [models.UniqueConstraint(fields=["plan_year", "number"], name="one_terms_version_number")]

    def __str__(self) -> str:
        return f"{self.plan_year} v{self.number}"

    @property
    def terms(self) -> PlanYearTerms:
        cached = getattr(self, "_terms", None)
        if cached is None:
            cached = self._terms = PlanYearTerms.model_validate(self.document)
        return cached
