"""Complaints and questions (投诉/咨询): what a worker or a 12351 caller raised, its answer clock and escalations."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huzhu.core.crypto import EncryptedField


class Complaint(models.Model):
    """One complaint or question, answered at the level it sits at (代办点 → 办事处 → 协会) within its clock.

    The clock is N working days (settings.COMPLAINTS_ANSWER_DAYS) from the day it reached its current
    level: an escalation moves it one level up and restarts the clock there, so the level that inherits a
    late case gets the full time to answer it rather than a deadline already past. The association is the
    last level: a case overdue there stays open and is shown overdue.
    """

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("投诉")
        QUESTION = "question", _("咨询")

    class Category(models.TextChoices):
        CLAIM_PROGRESS = "claim_progress", _("理赔进度")
        BENEFIT_AMOUNT = "benefit_amount", _("补助金额")
        DOCUMENTS = "documents", _("材料要求")
        SERVICE = "service", _("服务态度")
        ENROLLMENT = "enrollment", _("参保缴费")
        OTHER = "other", _("其他")

    class Channel(models.TextChoices):
        PHONE_PAGE = "phone_page", _("职工手机页")
        HOTLINE = "hotline", _("12351 热线")
        DESK = "desk", _("窗口")

    class Level(models.TextChoices):
        # In escalation order; the values are the scope levels of the staff who answer there.
        COUNTY = "county", _("代办点")
        LEAGUE = "league", _("办事处")
        PROVINCE = "province", _("协会")

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="complaints", verbose_name=_("职工"))
    # An anonymous or unregistered caller: a name (may be blank) and a phone to call back, encrypted like
    # every personal number, shown masked.
    caller_name = models.CharField(_("来电人"), max_length=50, blank=True, default="")
    caller_phone_encrypted = EncryptedField(_("联系电话（密文）"), max_length=120, blank=True, default="",
                                            blind_index="caller_phone_index")
    caller_phone_index = models.CharField(_("联系电话索引"), max_length=32, blank=True, default="")
    caller_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, default="")
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("相关申领"))
    text = models.TextField(_("内容"), max_length=2000)
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("盟市"))
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("旗县"))
    level = models.CharField(_("当前层级"), max_length=10, choices=Level.choices, default=Level.COUNTY)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    received_on = models.DateField(_("受理日期"))
    level_since_on = models.DateField(_("到达当前层级日期"))
    due_on = models.DateField(_("答复期限"))
    escalation_count = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    reply = models.TextField(_("答复"), max_length=2000, blank=True, default="")
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("答复人"))
    replied_level = models.CharField(_("答复层级"), max_length=10, choices=Level.choices, blank=True, default="")
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("投诉咨询")
        verbose_name_plural = _("投诉咨询")
        ordering = ["-received_on", "-pk"]
        indexes = [
            # The escalation job and the to-do counts: open cases by level and clock.
            models.Index(fields=["status", "level", "due_on"]),
            models.Index(fields=["county", "received_on"]),
            models.Index(fields=["league", "received_on"]),
            models.Index(fields=["worker", "received_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def caller_label(self) -> str:
        """Who raised it, as a list shows it: the worker's name, or the caller's (or 匿名)."""
        if self.worker_id:
            return self.worker.name  # type: ignore[union-attr]
        return self.caller_name or str(_("匿名来电"))


class ComplaintEscalation(models.Model):
    """One move of a complaint to the next level because its clock ran out (history, never changed)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="escalations")
    from_level = models.CharField(_("原层级"), max_length=10, choices=Complaint.Level.choices)
    to_level = models.CharField(_("升至"), max_length=10, choices=Complaint.Level.choices)
    at = models.DateTimeField(_("时间"))
    on = models.DateField(_("日期"))
    missed_due_on = models.DateField(_("原答复期限"))
    due_on = models.DateField(_("新答复期限"))
    reason = models.CharField(_("原因"), max_length=100)

    class Meta:
        verbose_name = _("升级记录")
        verbose_name_plural = _("升级记录")
        ordering = ["at", "pk"]
        # Re-running the job for a day never escalates one complaint twice from the same level.
        constraints = [models.UniqueConstraint(fields=["complaint", "from_level"], name="one_escalation_per_level")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_level} → {self.to_level}"
