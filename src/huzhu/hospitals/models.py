"""Partner hospitals, their API credentials, the stays they settled at discharge and the batches that repay them.

A hospital settles the mutual-aid benefit at the bedside (出院即赔) through the API and the association
reimburses it in periodic batches. A discharge settlement is kept once per serial (结算流水号) with the answer
first given, so a hospital retrying after a timeout gets that answer again and never a second settlement. The
patient's ID number is never stored here: the worker is linked, and the masked number is kept for the statement.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huzhu.core.crypto import EncryptedField


class PartnerHospital(models.Model):
    """A hospital in the registry of partner hospitals (定点机构) that settles the benefit at discharge."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("合作中")
        SUSPENDED = "suspended", _("暂停")
        ENDED = "ended", _("已终止")

    code = models.CharField(_("定点机构编码"), max_length=15, unique=True)
    name = models.CharField(_("机构名称"), max_length=100)
    league = models.ForeignKey("regions.Division", verbose_name=_("所属盟市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", verbose_name=_("所属旗县区"), on_delete=models.PROTECT, related_name="+",
                               null=True, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_name = models.CharField(_("账户名称"), max_length=100)
    bank_account_encrypted = EncryptedField(_("银行账号（密文）"), max_length=120)
    bank_account_masked = models.CharField(_("银行账号"), max_length=30)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")

    class Meta:
        ordering = ["league_id", "code"]
        verbose_name = _("合作医院")
        verbose_name_plural = _("合作医院")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class HospitalToken(models.Model):
    """An API credential scoped to one hospital. Only its SHA-256 hash is stored; the token is shown once.

    `client_certificate_sha256`, when set, binds the token to the hospital's client certificate: the TLS
    proxy in front of Huzhu verifies the certificate and passes its SHA-256 fingerprint in a header
    (docs/hospital-api.md); a call whose fingerprint differs is refused.
    """

    hospital = models.ForeignKey(PartnerHospital, verbose_name=_("合作医院"), on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("用途"), max_length=100)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=12)
    client_certificate_sha256 = models.CharField(_("客户端证书指纹（SHA-256）"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("医院接口令牌")
        verbose_name_plural = _("医院接口令牌")


class ReimbursementBatch(models.Model):
    """The benefits one hospital advanced up to a day, repaid in one transfer after its statement agrees."""

    class Status(models.TextChoices):
        OPEN = "open", _("待对账")
        RECONCILED = "reconciled", _("已对账待付款")
        PAID = "paid", _("已付款")
        FAILED = "failed", _("付款失败")
        CANCELLED = "cancelled", _("已作废")

    hospital = models.ForeignKey(PartnerHospital, verbose_name=_("合作医院"), on_delete=models.PROTECT, related_name="batches")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    through = models.DateField(_("结算截止日期"))
    count = models.PositiveIntegerField(_("笔数"), default=0)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2, default=0)
    agreed_count = models.PositiveIntegerField(_("对账一致笔数"), default=0)
    agreed_amount = models.DecimalField(_("对账一致金额"), max_digits=14, decimal_places=2, default=0)
    statement_name = models.CharField(_("医院对账单"), max_length=200, blank=True)
    statement_sha256 = models.CharField(max_length=64, blank=True)
    statement_extra = models.JSONField(_("对账单中本批没有的记录"), default=list, blank=True)
    reconciled_at = models.DateTimeField(_("对账时间"), null=True, blank=True)
    paid_on = models.DateField(_("付款日期"), null=True, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("医院垫付结算批次")
        verbose_name_plural = _("医院垫付结算批次")

    def __str__(self) -> str:
        return f"垫付结算批次#{self.pk}"


class DischargeSettlement(models.Model):
    """One discharge call of a hospital, by its serial, with the answer given (replayed on a retry)."""

    class Status(models.TextChoices):
        SETTLED = "settled", _("已结算")
        REFERRED = "referred", _("请按常规申领")
        CANCELLED = "cancelled", _("已撤销")

    class Reconciliation(models.TextChoices):
        NONE = "", _("未对账")
        AGREED = "agreed", _("一致")
        DISPUTED = "disputed", _("有争议")

    hospital = models.ForeignKey(PartnerHospital, verbose_name=_("合作医院"), on_delete=models.PROTECT, related_name="discharges")
    serial = models.CharField(_("结算流水号"), max_length=40, unique=True)
    request_sha256 = models.CharField(max_length=64)
    status = models.CharField(_("结果"), max_length=10, choices=Status.choices)
    worker = models.ForeignKey("members.Worker", verbose_name=_("职工"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    id_masked = models.CharField(_("身份证号"), max_length=18)
    patient_name = models.CharField(_("姓名"), max_length=50, blank=True)
    claim_id = models.BigIntegerField(_("申领"), null=True, blank=True, unique=True)
    plan_year_id = models.BigIntegerField(null=True, blank=True)
    admitted_on = models.DateField(_("入院日期"))
    discharged_on = models.DateField(_("出院日期"))
    settled_on = models.DateField(_("结算日期"))
    total_amount = models.DecimalField(_("医疗费总额"), max_digits=14, decimal_places=2)
    benefit_amount = models.DecimalField(_("互助补助金"), max_digits=14, decimal_places=2, default=0)
    answer = models.JSONField(_("答复"), default=dict)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    settled_at = models.DateTimeField(_("结算时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    advance_entry_id = models.BigIntegerField(null=True, blank=True)
    batch = models.ForeignKey(ReimbursementBatch, verbose_name=_("结算批次"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="lines")
    reconciliation = models.CharField(_("对账"), max_length=10, choices=Reconciliation.choices, blank=True, default="")
    dispute_reason = models.CharField(_("争议原因"), max_length=200, blank=True)
    statement_amount = models.DecimalField(_("医院对账金额"), max_digits=14, decimal_places=2, null=True, blank=True)
    reimbursed_on = models.DateField(_("垫付款付讫日期"), null=True, blank=True)

    class Meta:
        ordering = ["-settled_at", "-pk"]
        verbose_name = _("出院直接结算")
        verbose_name_plural = _("出院直接结算")
        indexes = [models.Index(fields=["hospital", "status", "settled_on"], name="discharge_hospital_status"),
                   models.Index(fields=["worker"], name="discharge_worker")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="settled") | Q(claim_id__isnull=False),
                                   name="settled_discharge_has_claim"),
        ]
