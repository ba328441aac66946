"""Data-sharing agreements with medical-insurance bureaus, settlement-feed imports and their rows.

A settlement row keeps what the report and the claim need: its serial (idempotency), its outcome,
the worker and claim it led to. The ID number and the name of a row are never stored; the blind
index is kept only until matching and only for matched rows; the raw facts (hospital, dates,
diagnosis, amounts, masked ID) are blanked when the agreement's retention days have passed.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataSharingAgreement(models.Model):
    """An agreement with a medical-insurance bureau (医保局) to receive its settlement rows."""

    bureau_name = models.CharField(_("医保部门"), max_length=100)
    # A league (盟市), or none: the whole province (the divisions table holds no province row).
    region = models.ForeignKey("regions.Division", verbose_name=_("协议地区"), on_delete=models.PROTECT,
                               related_name="+", null=True, blank=True)
    starts_on = models.DateField(_("协议起期"))
    ends_on = models.DateField(_("协议止期"))
    shared_fields = models.TextField(_("共享字段"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    retention_days = models.PositiveIntegerField(_("原始数据保存天数"), default=180)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("医保数据共享协议")
        verbose_name_plural = _("医保数据共享协议")

    def __str__(self) -> str:
        return f"{self.bureau_name}（{self.starts_on:%Y-%m-%d}至{self.ends_on:%Y-%m-%d}）"

    @property
    def region_label(self) -> str:
        return self.region.name if self.region_id else str(_("全区"))

    def covers(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class SettlementImport(models.Model):
    """One settlement file being imported: staged in chunks, then matched chunk by chunk (resumable)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        STAGING = "staging", _("读取中")
        STAGED = "staged", _("已读取")
        MATCHING = "matching", _("匹配中")
        DONE = "done", _("已完成")
        REFUSED = "refused", _("未导入（有错误行）")
        FAILED = "failed", _("失败")

    class Mode(models.TextChoices):
        ALL = "all", _("全部正确才导入")
        VALID = "valid", _("只导入正确的行")

    class Source(models.TextChoices):
        PAGE = "page", _("页面上传")
        CLI = "cli", _("命令行")
        API = "api", _("接口")
        DROP = "drop", _("投递目录")

    agreement = models.ForeignKey(DataSharingAgreement, verbose_name=_("协议"), on_delete=models.PROTECT,
                                  related_name="imports")
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    mode = models.CharField(_("导入方式"), max_length=10, choices=Mode.choices, default=Mode.VALID)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(_("文件名"), max_length=200)
    stored_path = models.CharField(_("文件位置"), max_length=500, blank=True)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True)
    total = models.PositiveIntegerField(_("数据行数"), default=0)
    done = models.PositiveIntegerField(_("已读取行数"), default=0)
    matched_through = models.PositiveIntegerField(_("已匹配至行号"), default=0)
    error_count = models.PositiveIntegerField(_("错误行"), default=0)
    duplicate_count = models.PositiveIntegerField(_("重复"), default=0)
    matched_count = models.PositiveIntegerField(_("已匹配"), default=0)
    unmatched_count = models.PositiveIntegerField(_("未找到职工"), default=0)
    ambiguous_count = models.PositiveIntegerField(_("无法唯一确定"), default=0)
    not_consented_count = models.PositiveIntegerField(_("未授权"), default=0)
    no_coverage_count = models.PositiveIntegerField(_("无有效保障"), default=0)
    outside_count = models.PositiveIntegerField(_("超出协议范围"), default=0)
    reversal_count = models.PositiveIntegerField(_("冲销"), default=0)
    refused_count = models.PositiveIntegerField(_("未能生成申领"), default=0)
    claims_created = models.PositiveIntegerField(_("生成申领"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    raw_purged_at = models.DateTimeField(_("原始数据清除时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("结算数据导入")
        verbose_name_plural = _("结算数据导入")

    def __str__(self) -> str:
        return f"结算数据导入#{self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.STAGING, self.Status.STAGED, self.Status.MATCHING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.MATCHING:
            return min(100, round(100 * self.matched_through / max(self.total, 1)))
        return min(100, round(100 * self.done / max(self.total, 1)))


class SettlementImportStatusChange(models.Model):
    """History of an import's status (core.workflow)."""

    job = models.ForeignKey(SettlementImport, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class ReversalResult(models.TextChoices):
    """What a reversal row did: the answers of claims.services.reversals.reverse_settlement_claims."""

    CANCELLED = "cancelled", _("未付申领已撤销")
    RECOVERY = "recovery", _("已付，登记追回")
    NONE = "none", _("原结算未生成申领")
    ALREADY = "already", _("此前已处理")
    IN_PAYMENT = "in_payment", _("补助金支付中：银行付款后登记追回，退回或批次作废则撤销申领")


class SettlementRow(models.Model):
    """One row of a feed: staged, then given an outcome. `recorded` rows hold their serial once, scheme-wide."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待匹配")
        ERROR = "error", _("错误")
        DUPLICATE = "duplicate", _("重复（已导入过）")
        MATCHED = "matched", _("已匹配")
        UNMATCHED = "unmatched", _("未找到职工")
        AMBIGUOUS = "ambiguous", _("无法唯一确定职工")
        NOT_CONSENTED = "not_consented", _("职工未授权")
        NO_COVERAGE = "no_coverage", _("当日无有效保障")
        OUTSIDE = "outside", _("超出协议地区或期间")
        REVERSAL = "reversal", _("冲销")
        REFUSED = "refused", _("未能生成申领")

    job = models.ForeignKey(SettlementImport, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField(_("行号"))
    serial = models.CharField(_("结算流水号"), max_length=40, blank=True)
    outcome = models.CharField(_("结果"), max_length=15, choices=Outcome.choices, default=Outcome.PENDING)
    recorded = models.BooleanField(default=False)
    is_reversal = models.BooleanField(_("冲销"), default=False)
    reverses_serial = models.CharField(_("原结算流水号"), max_length=40, blank=True)
    reversal_result = models.CharField(_("冲销结果"), max_length=10, blank=True, choices=ReversalResult.choices)
    id_index = models.CharField(max_length=64, blank=True)
    id_masked = models.CharField(_("身份证号"), max_length=18, blank=True)
    gender = models.CharField(max_length=1, blank=True)
    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               db_constraint=False, db_index=False)
    coverage_id = models.BigIntegerField(null=True, blank=True)
    claim_id = models.BigIntegerField(_("申领"), null=True, blank=True)
    claim_type = models.CharField(max_length=20, blank=True)
    hospital_code = models.CharField(_("定点机构编码"), max_length=30, blank=True)
    hospital_name = models.CharField(_("定点机构名称"), max_length=100, blank=True)
    admitted_on = models.DateField(_("入院日期"), null=True, blank=True)
    discharged_on = models.DateField(_("出院日期"), null=True, blank=True)
    settled_on = models.DateField(_("结算日期"), null=True, blank=True)
    diagnosis_code = models.CharField(_("主要诊断编码"), max_length=10, blank=True)
    insurance_kind = models.CharField(_("险种"), max_length=20, blank=True)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    fund_paid_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    serious_illness_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    medical_aid_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    policy_self_pay_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    out_of_policy_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    self_funded_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    error_field = models.CharField(_("出错字段"), max_length=20, blank=True)
    error_reason = models.CharField(_("原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["job", "row_no"]
        verbose_name = _("结算数据行")
        verbose_name_plural = _("结算数据行")
        constraints = [
            models.UniqueConstraint(fields=["job", "row_no"], name="settlement_row_once_per_job"),
            # Idempotency by 结算流水号: a serial is acted on once, whichever file brings it.
            models.UniqueConstraint(fields=["serial"], condition=Q(recorded=True), name="settlement_serial_once"),
        ]
        indexes = [models.Index(fields=["serial"], name="settlement_row_serial"),
                   models.Index(fields=["worker"], name="settlement_row_worker")]
