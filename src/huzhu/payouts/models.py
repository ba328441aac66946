"""Payouts (补助金支付): a batch of payments sent to the bank, one payout per payment attempt of a claim.

A claim has at most one payout that is not failed or cancelled (database constraint), so it can be
paid once; a failed payout stays as it was and a retry is a new payout with a new reference.
The payee's name and bank account are copied onto the payout when the batch is built: the bank
file says exactly what was sent, whatever is corrected later.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huzhu.core.crypto import EncryptedField, decrypt_text
from huzhu.core.models import StatusChange

from . import bank_layouts, rules


def money(label: str, **options) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, **options)


class PayoutBatch(models.Model):
    """A batch of payouts: built by a maker, approved by a checker, sent to the bank, reconciled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待复核")
        APPROVED = "approved", _("已复核待送银行")
        SENT = "sent", _("已送银行待回盘")
        RECONCILED = "reconciled", _("已对账")
        CANCELLED = "cancelled", _("已作废")

    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    filters_label = models.CharField(_("筛选条件"), max_length=300, blank=True)
    payout_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_amount = money(_("总金额"), default=0)
    paid_count = models.PositiveIntegerField(_("已付款笔数"), default=0)
    paid_amount = money(_("已付款金额"), default=0)
    failed_count = models.PositiveIntegerField(_("失败笔数"), default=0)
    failed_amount = money(_("失败金额"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("制单人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("复核人"))
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    exported_at = models.DateTimeField(_("首次导出银行文件"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("送银行人"), on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    sent_on = models.DateField(_("送银行日期"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送银行时间"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("对账完成时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("支付批次")
        verbose_name_plural = _("支付批次")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            # DOMAIN: four eyes on money leaving the fund (the service refuses it with a message first).
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("created_by")),
                                   name="batch_checker_is_not_the_maker"),
        ]

    def __str__(self) -> str:
        return gettext("支付批次 %(number)s") % {"number": self.number}

    @property
    def number(self) -> str:
        return f"PB{self.pk:06d}" if self.pk else "PB—"


class PayoutBatchStatusChange(StatusChange):
    """One move of a batch's status (payouts/workflow.py): who approved, sent, cancelled it, and when."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("支付批次状态变更")
        verbose_name_plural = _("支付批次状态变更")


class Payout(models.Model):
    """One payment attempt of a claim's benefit to the worker's bank card."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待送银行")
        SENT = "sent", _("已送银行")
        PAID = rules.PAID, _("已付款")
        FAILED = rules.FAILED, _("支付失败")
        CANCELLED = "cancelled", _("已作废")

    batch = models.ForeignKey(PayoutBatch, verbose_name=_("支付批次"), on_delete=models.PROTECT, related_name="payouts")
    claim = models.ForeignKey("claims.Claim", verbose_name=_("申领"), on_delete=models.PROTECT, related_name="payouts")
    plan_year = models.ForeignKey("plans.PlanYear", verbose_name=_("年度方案"), on_delete=models.PROTECT, related_name="+")
    league = models.ForeignKey("regions.Division", verbose_name=_("盟市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", verbose_name=_("旗县"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("members.MemberUnit", verbose_name=_("会员单位"), on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField(_("第几次支付"), default=1)
    reference = models.CharField(_("支付参考号"), max_length=30, unique=True)
    amount = money(_("金额"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # The payee as sent to the bank (copied when the batch is built).
    payee_name = models.CharField(_("收款人"), max_length=50)
    bank_name = models.CharField(_("开户银行"), max_length=50, blank=True)
    bank_account_encrypted = EncryptedField(_("银行账号（密文）"), max_length=120)
    bank_account_masked = models.CharField(_("收款账号"), max_length=30)
    # The bank's answer.
    paid_on = models.DateField(_("付款日期"), null=True, blank=True)
    failed_on = models.DateField(_("失败日期"), null=True, blank=True)
    bank_reason = models.CharField(_("银行说明"), max_length=200, blank=True)
    return_import = models.ForeignKey("ReturnImport", verbose_name=_("银行回盘"), on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="payouts")
    # A failed payout waits until someone records a corrected account (or confirms the old one).
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolution_note = models.CharField(_("处理说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("补助金支付")
        verbose_name_plural = _("补助金支付")
        ordering = ["batch_id", "pk"]
        indexes = [
            models.Index(fields=["batch", "status"]),
            models.Index(fields=["status", "resolved_at"]),
        ]
        constraints = [
            # A claim is paid once: at most one payout of a claim is live (pending, sent or paid).
            models.UniqueConstraint(fields=["claim"], condition=~Q(status__in=["failed", "cancelled"]),
                                    name="one_live_payout_per_claim"),
            models.UniqueConstraint(fields=["claim", "attempt"], name="one_payout_per_claim_attempt"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.payee_name} {self.amount}"

    def reveal_bank_account(self) -> str:
        """The clear account number, for the bank file only (callers audit the export)."""
        return decrypt_text(self.bank_account_encrypted)


class ReturnImport(models.Model):
    """A bank return file applied to a batch (rejected files change nothing and are not kept)."""

    batch = models.ForeignKey(PayoutBatch, verbose_name=_("支付批次"), on_delete=models.PROTECT, related_name="return_imports")
    file_name = models.CharField(_("文件名"), max_length=200)
    layout = models.CharField(_("格式"), max_length=60, blank=True, help_text=_("银行文件模板名称，或 pain.002"))
    sha256 = models.CharField(_("文件摘要（SHA-256）"), max_length=64, db_index=True)
    line_count = models.PositiveIntegerField(_("行数"), default=0)
    paid_count = models.PositiveIntegerField(_("新记已付款"), default=0)
    failed_count = models.PositiveIntegerField(_("新记失败"), default=0)
    unchanged_count = models.PositiveIntegerField(_("此前已处理"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("银行回盘")
        verbose_name_plural = _("银行回盘")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.batch} {self.file_name}"


class BankFileTemplate(models.Model):
    """A bank's payment-file layout and how its return file reads, kept by the association (payouts/bank_layouts.py).

    Shipped layouts come with `migrate` (0005); the association edits or copies them on
    /payouts/bank-templates/, every change audited. The generic layout (通用) is today's file.
    """

    class FileType(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"
        TXT = "txt", _("文本（TXT）")

    class Encoding(models.TextChoices):
        UTF8_BOM = "utf-8-sig", _("UTF-8（带BOM，Excel可直接打开）")
        UTF8 = "utf-8", "UTF-8"
        GB18030 = "gb18030", _("GB18030（兼容GBK）")

    name = models.CharField(_("模板名称"), max_length=60, unique=True)
    bank = models.CharField(_("银行"), max_length=60)
    builtin = models.CharField(_("内置格式"), max_length=30, blank=True,
                               help_text=_("随系统提供的格式代码；复制出的模板为空"))
    file_type = models.CharField(_("文件类型"), max_length=4, choices=FileType.choices, default=FileType.CSV)
    encoding = models.CharField(_("编码"), max_length=10, choices=Encoding.choices, default=Encoding.UTF8_BOM)
    delimiter = models.CharField(_("分隔符"), max_length=2, default=",")
    has_header = models.BooleanField(_("首行为表头"), default=True)
    sheet_name = models.CharField(_("工作表名"), max_length=31, blank=True)
    columns = models.JSONField(_("列（按顺序）"), default=list)
    # The bank's return file: a header text, or a column number from 1 when it has no header row.
    return_has_header = models.BooleanField(_("回盘首行为表头"), default=True)
    return_reference_column = models.CharField(_("回盘：支付参考号列"), max_length=40, blank=True)
    return_serial_column = models.CharField(_("回盘：序号列"), max_length=40, blank=True)
    return_account_column = models.CharField(_("回盘：收款账号列"), max_length=40, blank=True)
    return_amount_column = models.CharField(_("回盘：金额列"), max_length=40, blank=True)
    return_amount_in_fen = models.BooleanField(_("回盘金额单位为分"), default=False)
    return_result_column = models.CharField(_("回盘：处理结果列"), max_length=40, blank=True)
    return_reason_column = models.CharField(_("回盘：失败原因列"), max_length=40, blank=True)
    return_success_values = models.CharField(_("表示成功的值"), max_length=200, blank=True)
    return_failure_values = models.CharField(_("表示失败的值"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("银行文件模板")
        verbose_name_plural = _("银行文件模板")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return self.file_type

    def layout_columns(self) -> list[bank_layouts.Column]:
        return [bank_layouts.Column.from_json(item) for item in self.columns or []]

    def return_layout(self) -> bank_layouts.ReturnLayout:
        return bank_layouts.ReturnLayout(
            has_header=self.return_has_header, reference=self.return_reference_column,
            serial=self.return_serial_column, account=self.return_account_column, amount=self.return_amount_column,
            result=self.return_result_column, reason=self.return_reason_column,
            amount_in_fen=self.return_amount_in_fen,
            success_values=bank_layouts.split_values(self.return_success_values),
            failure_values=bank_layouts.split_values(self.return_failure_values))
