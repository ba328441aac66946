"""Claims (申领): the claim with its facts and decision, invoices, documents, history and adjustments."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huzhu.archives.models import DocumentKind
from huzhu.core.crypto import EncryptedField, decrypt_text


def money(label: str, **options) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, **options)


class Claim(models.Model):
    """A worker's request for a benefit for one event, moved only by `services.transition_claim`."""

    class Type(models.TextChoices):
        INPATIENT = "inpatient", _("住院")
        OUTPATIENT_CHRONIC = "outpatient_chronic", _("门诊慢特病")
        DIAGNOSIS = "diagnosis", _("确诊（女性馨康）")
        PROCEDURE = "procedure", _("手术（女性馨康）")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        FIRST_REVIEW = "first_review", _("待初审（代办点）")
        SECOND_REVIEW = "second_review", _("待复审（办事处）")
        EXPERT_REVIEW = "expert_review", _("待专家评审")
        APPROVAL = "approval", _("待审批（协会）")
        APPROVED = "approved", _("已审批待支付")
        PAID = "paid", _("已支付")
        SUPPLEMENT = "supplement", _("退回补正")
        REJECTED = "rejected", _("不予补助")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Channel(models.TextChoices):
        DESK = "desk", _("代办点窗口")
        UNIT = "unit", _("基层工会")
        WORKER = "worker", _("职工手机")
        DATA = "data", _("医保数据")  # made from a medical-insurance settlement (免申即享), no application
        HOSPITAL = "hospital", _("医院直接结算")  # settled at discharge by a partner hospital (出院即赔)

    class Procedure(models.TextChoices):
        TOTAL_HYSTERECTOMY = "total_hysterectomy", _("全子宫切除术")
        BILATERAL_OOPHORECTOMY = "bilateral_oophorectomy", _("双侧卵巢切除术")

    worker = models.ForeignKey("members.Worker", verbose_name=_("职工"), on_delete=models.PROTECT, related_name="claims")
    coverage = models.ForeignKey("enrollment.Coverage", verbose_name=_("保障凭证"), on_delete=models.PROTECT, related_name="claims")
    plan_year = models.ForeignKey("plans.PlanYear", verbose_name=_("年度方案"), on_delete=models.PROTECT, related_name="claims")
    claim_type = models.CharField(_("申领类型"), max_length=20, choices=Type.choices)
    status = models.CharField(_("状态"), max_length=15, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(_("申领渠道"), max_length=10, choices=Channel.choices)
    worker_deceased = models.BooleanField(_("职工已身故"), default=False)
    # Region and unit copied from the coverage so every queue filters on the claim row itself.
    league = models.ForeignKey("regions.Division", verbose_name=_("盟市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", verbose_name=_("旗县"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("members.MemberUnit", verbose_name=_("会员单位"), on_delete=models.PROTECT, related_name="claims")

    # The event: a stay, an outpatient period, a diagnosis or a procedure.
    hospital = models.CharField(_("医院"), max_length=100, blank=True)
    admitted_on = models.DateField(_("入院日期"), null=True, blank=True)
    discharged_on = models.DateField(_("出院日期"), null=True, blank=True)
    period_start_on = models.DateField(_("费用期间起"), null=True, blank=True)
    period_end_on = models.DateField(_("费用期间止"), null=True, blank=True)
    diagnosed_on = models.DateField(_("确诊/手术日期"), null=True, blank=True)
    diagnosis_code = models.CharField(_("诊断编码（ICD-10）"), max_length=20, blank=True)
    # The ICD-10 code stays plain: rules, risk checks, reports and the actuarial model select on it
    # set-wise. The name is free text (up to 100 characters as the desk or API typed it) and is
    # stored encrypted (docs/security.md, "Health data").
    diagnosis_name_encrypted = EncryptedField(_("诊断名称（密文）"), max_length=600, blank=True, default="", db_default="")
    procedure = models.CharField(_("手术"), max_length=30, choices=Procedure.choices, blank=True)

    # The medical-insurance settlement: total = every payer's part (rules.amount_problems).
    total_amount = money(_("医疗费用总额"), default=0)
    fund_paid_amount = money(_("统筹基金支付"), default=0)
    serious_illness_amount = money(_("大病保险支付"), default=0)
    medical_aid_amount = money(_("医疗救助支付"), default=0)
    policy_self_pay_amount = money(_("政策范围内个人自付"), default=0)
    out_of_policy_amount = money(_("政策范围外个人自付"), default=0)
    self_funded_amount = money(_("全自费"), default=0)

    # The decision, with the terms version it was made under (STYLE.md 6).
    benefit_amount = money(_("补助金"), null=True, blank=True)
    explanation = models.JSONField(_("计算过程"), default=list, blank=True)
    covered = models.BooleanField(_("属于保障范围"), default=True)
    tier = models.CharField(_("档次"), max_length=2, blank=True)
    allowance_days = models.PositiveSmallIntegerField(_("住院补贴天数"), default=0)
    terms_version = models.ForeignKey("plans.TermsVersion", verbose_name=_("条款版本"), on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    decided_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    straight_through = models.BooleanField(_("自动审批"), default=False)
    # Why automation left the claim to a person (rules.MANUAL_REASONS codes), set at submission; [] when it went
    # straight through or was never screened. The straight-through share counts the clean ones (rules.RULE_REASONS).
    manual_review_reasons = models.JSONField(_("人工审核原因"), default=list, blank=True)
    missing_items = models.JSONField(_("待补正材料"), default=list, blank=True)

    # The review clock (DOMAIN.md): working days from complete documents.
    complex_case = models.BooleanField(_("复杂案件"), default=False)
    documents_complete_on = models.DateField(_("材料齐全日期"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    # Medical expert review (医学专家评审): decided at submission (rules.expert_review_reasons); the step has its own
    # clock, set when the claim reaches it.
    expert_required = models.BooleanField(_("需专家评审"), default=False)
    expert_due_on = models.DateField(_("专家评审期限"), null=True, blank=True)

    # A claim made from data is paid to the card the worker confirms on her phone (or the card on file,
    # when the association's setting says so); None until then.
    bank_confirmed_at = models.DateTimeField(_("收款账户确认时间"), null=True, blank=True)
    # The settlement a claim made from data comes from: its serial (结算流水号) is the key that makes the
    # feed idempotent (one claim per settlement), and the settlement date starts the "days to payout" clock.
    settlement_serial = models.CharField(_("结算流水号"), max_length=50, blank=True, default="")
    settled_on = models.DateField(_("结算日期"), null=True, blank=True)
    # A reversal that came while the benefit was in a payout batch or at the bank: kept here and applied when the
    # payment ends (paid: a recovery is opened; failed or the batch cancelled: the claim is cancelled).
    held_reversal_serial = models.CharField(_("待处理的冲销流水号"), max_length=50, blank=True, default="")

    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申领")
        verbose_name_plural = _("申领")
        indexes = [
            models.Index(fields=["status", "county", "due_on"]),
            models.Index(fields=["status", "league", "due_on"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["coverage", "status"]),
            models.Index(fields=["worker", "status"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["hospital", "plan_year"], name="claims_hospital_year"),  # risk: near-duplicates
        ]
        constraints = [
            models.UniqueConstraint(fields=["settlement_serial"], condition=~models.Q(settlement_serial=""),
                                    name="one_claim_per_settlement"),
        ]

    def __str__(self) -> str:
        return gettext("申领 #%(number)s") % {"number": self.pk}

    def reveal_diagnosis_name(self) -> str:
        """The diagnosis as written (decrypted); callers are the claim's own pages and exports in scope."""
        return decrypt_text(self.diagnosis_name_encrypted) if self.diagnosis_name_encrypted else ""

    @property
    def is_open(self) -> bool:
        """Submitted and not yet decided, returned, withdrawn or refused: the review clock runs."""
        return self.status in (self.Status.SUBMITTED, self.Status.FIRST_REVIEW, self.Status.SECOND_REVIEW,
                               self.Status.APPROVAL)

    @property
    def event_on(self):
        """The date that places the claim in a plan year (DOMAIN.md)."""
        return self.admitted_on or self.period_start_on or self.diagnosed_on


class Invoice(models.Model):
    """A medical e-invoice (医疗收费电子票据). (code, number) pays once across all claims and years;
    only a withdrawn claim releases it."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="invoices")
    code = models.CharField(_("票据代码"), max_length=8)
    number = models.CharField(_("票据号码"), max_length=10)
    check_code = models.CharField(_("校验码"), max_length=6)
    amount = money(_("票据金额"))
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("医疗票据")
        verbose_name_plural = _("医疗票据")
        indexes = [models.Index(fields=["number"], name="claims_invoice_number")]  # risk: invoice holders
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], condition=models.Q(released_at__isnull=True),
                                    name="invoice_pays_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code}-{self.number}"


class ClaimRecovery(models.Model):
    """A benefit paid on a settlement the medical-insurance bureau later reversed: the fund is owed it back
    (应收). Opened with its ledger entry in one transaction; one per claim."""

    class Status(models.TextChoices):
        OPEN = "open", _("待追回")
        RECOVERED = "recovered", _("已追回")
        WRITTEN_OFF = "written_off", _("已核销")

    class Origin(models.TextChoices):
        SETTLEMENT_REVERSED = "settlement_reversed", _("医保结算冲销")
        POST_AUDIT = "post_audit", _("事后抽查")

    claim = models.OneToOneField(Claim, verbose_name=_("申领"), on_delete=models.PROTECT, related_name="recovery")
    amount = money(_("应追回金额"))
    origin = models.CharField(_("追回原因类别"), max_length=20, choices=Origin.choices, default=Origin.SETTLEMENT_REVERSED)
    reason = models.CharField(_("追回原因"), max_length=200, blank=True)
    reversal_serial = models.CharField(_("冲销流水号"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("立账日期"))
    ledger_entry_id = models.PositiveBigIntegerField(_("记账分录"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    # Closed by claims.services.close_recovery: repaid into the bank, or written off with a reason.
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    close_note = models.CharField(_("办结说明"), max_length=200, blank=True)
    close_ledger_entry_id = models.PositiveBigIntegerField(_("办结分录"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("补助金追回")
        verbose_name_plural = _("补助金追回")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.claim} {self.amount}"


class ClaimDocument(models.Model):
    """A document of a claim: its kind and the archived file."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=30, choices=DocumentKind.choices)
    file = models.ForeignKey("archives.StoredFile", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申领材料")
        verbose_name_plural = _("申领材料")
        constraints = [models.UniqueConstraint(fields=["claim", "kind", "file"], name="one_document_per_file_and_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file}"


class ClaimStatusChange(models.Model):
    """One move of a claim: its history, and the outbox of the notification it causes."""

    class ActorKind(models.TextChoices):
        STAFF = "staff", _("工作人员")
        WORKER = "worker", _("职工本人")
        SYSTEM = "system", _("系统自动")

    claim = models.ForeignKey(Claim, verbose_name=_("申领"), on_delete=models.PROTECT, related_name="status_changes")
    action = models.CharField(_("动作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=15, choices=Claim.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=15, choices=Claim.Status.choices)
    level = models.CharField(_("审核层级"), max_length=12, blank=True, help_text="county / league / association / intake")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_kind = models.CharField(_("操作人类型"), max_length=10, choices=ActorKind.choices)
    at = models.DateTimeField(_("时间"))
    comment = models.TextField(_("意见"), blank=True)
    reason_code = models.CharField(_("原因代码"), max_length=40, blank=True)
    missing_items = models.JSONField(_("需补正材料"), default=list, blank=True)
    # Outbox: a sender delivers rows with notified_at empty (services.deliver_notifications).
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    notify_attempts = models.PositiveSmallIntegerField(_("通知尝试次数"), default=0)
    notify_error = models.CharField(_("通知失败原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("申领状态变更")
        verbose_name_plural = _("申领状态变更")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["claim", "at"]),
            models.Index(fields=["notified_at", "id"], name="claims_outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.from_status} → {self.to_status}"

    @property
    def office_label(self) -> str:
        """Who acted, as a worker may see it: the office, never the staff member's name."""
        return {"county": _("代办点"), "league": _("办事处"), "association": _("协会")}.get(self.level, _("经办人"))


class ClaimAdjustment(models.Model):
    """A reviewer's change of a claim amount, with the reason and the benefit before and after."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="adjustments")
    field = models.CharField(max_length=40)
    before_amount = money(_("调整前"))
    after_amount = money(_("调整后"))
    benefit_before_amount = money(_("调整前补助金"), null=True)
    benefit_after_amount = money(_("调整后补助金"), null=True)
    reason = models.CharField(_("调整原因"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("金额调整")
        verbose_name_plural = _("金额调整")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.claim} {self.field}: {self.before_amount} → {self.after_amount}"

    @property
    def field_label(self) -> str:
        from .rules import AMOUNT_LABELS

        # The labels are the verbose names of Claim's amount fields, so the catalogue has them.
        return gettext(AMOUNT_LABELS.get(self.field, self.field))


class OfficialDay(models.Model):
    """A day of the State Council's yearly holiday schedule, entered for the review clock: a public
    holiday (休) or an adjusted working day (调休上班). The association enters a year's schedule when it
    is published and the chinesecalendar package does not know it yet; an entry wins over the package."""

    on = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(_("上班"), default=False)
    name = models.CharField(_("名称"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("法定节假日安排")
        verbose_name_plural = _("法定节假日安排")
        ordering = ["on"]

    def __str__(self) -> str:
        return f"{self.on} {'上班' if self.is_working else '休'} {self.name}"


class VoidedInvoice(models.Model):
    """An e-invoice that must not pay: voided (作废) or red-flushed (红冲 / 已开红票), from the lists the association
    imports (the e-invoice platform's, a hospital's). A claim carrying one is refused when filed or submitted."""

    class Status(models.TextChoices):
        VOID = "void", _("已作废")
        RED_FLUSHED = "red_flushed", _("已红冲")

    code = models.CharField(_("票据代码"), max_length=8)
    number = models.CharField(_("票据号码"), max_length=10)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    source = models.CharField(_("来源文件"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("作废或红冲票据")
        verbose_name_plural = _("作废或红冲票据")
        constraints = [models.UniqueConstraint(fields=["code", "number"], name="voided_invoice_once")]

    def __str__(self) -> str:
        return f"{self.code}-{self.number} {self.get_status_display()}"


class ClaimReading(models.Model):
    """A document read when the claim was filled in (archives.reading): what it proposed, and what the clerk kept or
    corrected. The corrections measure the reading's accuracy; a typed amount that disagrees is a risk finding."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="readings")
    kind = models.CharField(_("材料类型"), max_length=30)
    source = models.CharField(_("识别来源"), max_length=20)
    fields = models.JSONField(_("识别结果"), default=dict)
    confidence = models.JSONField(_("把握"), default=dict)
    corrections = models.JSONField(_("更正"), default=dict)  # field -> {"document": …, "typed": …}
    created_at = models.DateTimeField(_("识别时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("材料识别记录")
        verbose_name_plural = _("材料识别记录")
        ordering = ["claim_id", "id"]


class ExpertOpinion(models.Model):
    """A medical expert's opinion (医学专家意见) on a claim at expert review, with the reasons; the association decides.

    A claim sent back for supplement and resubmitted may reach the step again: one row each time.
    """

    class Opinion(models.TextChoices):
        AGREE = "agree", _("同意补助")
        DISAGREE = "disagree", _("不同意补助")
        MORE_INFO = "more_info", _("建议补充材料")

    claim = models.ForeignKey(Claim, verbose_name=_("申领"), on_delete=models.CASCADE, related_name="expert_opinions")
    opinion = models.CharField(_("专家意见"), max_length=12, choices=Opinion.choices)
    reasons = models.TextField(_("理由"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("专家"), on_delete=models.PROTECT, related_name="+")
    reached_on = models.DateField(_("进入专家评审日期"))
    due_on = models.DateField(_("专家评审期限"), null=True, blank=True)
    given_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专家意见")
        verbose_name_plural = _("专家意见")
        ordering = ["claim_id", "given_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.get_opinion_display()}"
