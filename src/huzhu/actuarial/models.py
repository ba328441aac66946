"""Actuarial studies (精准测算): each run saved with its inputs, results and progress."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huzhu.core.models import StatusChange


class Study(models.Model):
    """One study: what was asked (inputs), what came out (results), and how far a long run has got."""

    class Kind(models.TextChoices):
        EXPERIENCE = "experience", _("经验分析")
        IBNR = "ibnr", _("未报告赔款（IBNR）")
        WHATIF = "whatif", _("条款测算")
        RESERVE = "reserve", _("准备金充足性")
        PRICING = "pricing", _("下一年度定价")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField(_("输入"), default=dict)
    results = models.JSONField(_("结果"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("测算")
        verbose_name_plural = _("测算")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.title}"

    @property
    def author_label(self) -> str:
        """Who started it: the staff member's name, or the command line."""
        if self.created_by is None:
            return gettext("命令行")
        return self.created_by.get_full_name() or self.created_by.username

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class StudyStatusChange(StatusChange):
    """One move of a study's status (actuarial/workflow.py): queued, run, done or failed, and when."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("测算状态变更")
        verbose_name_plural = _("测算状态变更")
