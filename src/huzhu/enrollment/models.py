"""Group enrollment (团体参互) for a plan year, the coverages (保障凭证) it creates, and roster imports."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huzhu.core.crypto import EncryptedField
from huzhu.core.models import StatusChange


class Enrollment(models.Model):
    """A unit's enrollment batch in one plan year: the workers it covers and pays for at once.

    A unit has one annual enrollment per plan year (new or renewal) and any number of mid-year
    batches for new hires; each batch is paid once and its coverages start from that payment.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交待缴费")
        PAID = "paid", _("已缴费")
        CANCELLED = "cancelled", _("已撤销")

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年度参互")
        MID_YEAR = "mid_year", _("年中增员")

    unit = models.ForeignKey("members.MemberUnit", on_delete=models.PROTECT, related_name="enrollments")
    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.PROTECT, related_name="enrollments")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    is_renewal = models.BooleanField(_("续互"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    headcount = models.PositiveIntegerField(_("参互人数"), default=0)
    contribution_amount = models.DecimalField(_("互助金合计"), max_digits=14, decimal_places=2, default=0)
    subsidy_amount = models.DecimalField(_("工会补贴合计"), max_digits=14, decimal_places=2, default=0)
    due_amount = models.DecimalField(_("应缴金额"), max_digits=14, decimal_places=2, default=0)
    paid_amount = models.DecimalField(_("实缴金额"), max_digits=14, decimal_places=2, default=0)
    paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("团体参互")
        verbose_name_plural = _("团体参互")
        indexes = [models.Index(fields=["plan_year", "county"]), models.Index(fields=["plan_year", "league"])]
        constraints = [
            models.UniqueConstraint(fields=["unit", "plan_year"],
                                    condition=models.Q(kind="annual") & ~models.Q(status="cancelled"),
                                    name="one_annual_enrollment_per_unit_and_plan_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.plan_year} · {self.get_kind_display()}"


class EnrollmentStatusChange(models.Model):
    """One move of an enrollment's status: its history and the outbox for notifications."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(max_length=20, blank=True)
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.from_status} → {self.to_status}"


class Coverage(models.Model):
    """One worker covered by one plan year. One per person and plan year across the scheme."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待缴费")
        ACTIVE = "active", _("有效")
        CANCELLED = "cancelled", _("已撤销")

    class Standing(models.TextChoices):
        """The status a worker sees: the stored status read against today's date (rules.coverage_standing)."""

        PENDING = "pending", _("待缴费")
        NOT_STARTED = "not_started", _("未生效")
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已到期")
        CANCELLED = "cancelled", _("已撤销")

    # plan_year, unit, league and county copy the enrollment's, for the reports and the
    # one-coverage-per-plan-year constraint. The enrollment's own foreign keys guard those rows, so
    # the copies carry no database constraint of their own (each would be checked once per person a
    # roster import covers, docs/scaling.md); the ORM still protects them on delete.
    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, related_name="coverages")
    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.PROTECT, related_name="coverages",
                                  db_index=False, db_constraint=False)
    unit = models.ForeignKey("members.MemberUnit", on_delete=models.PROTECT, related_name="coverages",
                             db_index=False, db_constraint=False)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="coverages")
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # NULL until payment numbers the coverage; unique among the numbered (see Meta).
    certificate_no = models.CharField(_("保障凭证号"), max_length=30, null=True, blank=True)  # noqa: DJ001
    starts_on = models.DateField(_("保障起期"), null=True, blank=True)
    ends_on = models.DateField(_("保障止期"), null=True, blank=True)
    consecutive_years = models.PositiveSmallIntegerField(_("连续参互年数"), default=1)
    # The day the worker left the unit, noted on the paid coverage of that plan year. It ends no
    # coverage: DOMAIN, paid coverage runs to ends_on (the protection period's end).
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
            # Numbers are given at payment: pending coverages (a fresh import) stay out of the index.
            models.UniqueConstraint(fields=["certificate_no"], condition=models.Q(certificate_no__isnull=False),
                                    name="one_coverage_per_certificate_no"),
        ]
        indexes = [
            models.Index(fields=["plan_year", "county"]),
            models.Index(fields=["plan_year", "league"]),
            models.Index(fields=["unit", "plan_year"]),
            models.Index(fields=["county"], name="coverage_county"),
            models.Index(fields=["league"], name="coverage_league"),
        ]

    def __str__(self) -> str:
        return self.certificate_no or f"coverage {self.pk}"


class CertificateSequence(models.Model):
    """The last certificate number handed out per year and county (row-locked when reserving)."""

    year = models.PositiveSmallIntegerField()
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "county"], name="one_certificate_sequence")]

    def __str__(self) -> str:
        return f"{self.year}-{self.county_id}: {self.last_number}"


class ImportJob(models.Model):
    """A roster file on its way into an enrollment: the progress record a page polls.

    Validation runs in committed chunks into `ImportRow` (resumable from `done`); the import
    itself is one transaction over the staged rows, so the database never holds half a file.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        VALIDATING = "validating", _("校验中")
        VALIDATED = "validated", _("校验完成待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")
        DISCARDED = "discarded", _("已放弃")

    class Policy(models.TextChoices):
        ALL_OR_NOTHING = "all", _("全部正确才导入")
        VALID_ONLY = "valid_only", _("只导入正确的行")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="import_jobs")
    file_name = models.CharField(_("文件名"), max_length=200)
    stored_path = models.CharField(max_length=300, blank=True)
    # SHA-256 of the file: a re-run of the same file finds the job an interruption left unfinished.
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    policy = models.CharField(_("导入方式"), max_length=12, choices=Policy.choices, blank=True)
    total = models.PositiveIntegerField(_("数据行数"), default=0, help_text=_("0 = 尚未知道"))
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    valid_count = models.PositiveIntegerField(_("正确行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    imported_count = models.PositiveIntegerField(_("已导入人数"), default=0)
    new_worker_count = models.PositiveIntegerField(_("新登记职工"), default=0)
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        return min(100, int(self.done * 100 / self.total)) if self.total else 0

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.VALIDATING, self.Status.IMPORTING}


class ImportJobStatusChange(StatusChange):
    """One move of an import job's status (services/workflow.py): validated, imported, failed, discarded."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("名册导入状态变更")
        verbose_name_plural = _("名册导入状态变更")


class ImportRow(models.Model):
    """One validated roster row, staged until the import commits (ID number and phone encrypted, never plain).

    Written a million at a time by COPY: the job reference has no database constraint (a check
    per staged row; Django still cascades deletes) and no index of its own (the composite
    indexes start with it).
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows", db_constraint=False,
                            db_index=False)
    row_no = models.PositiveIntegerField()
    name = models.CharField(max_length=50, blank=True)
    id_number_index = models.CharField(max_length=32, blank=True)
    id_number_encrypted = EncryptedField(max_length=120, blank=True, blind_index="id_number_index")
    id_number_masked = models.CharField(max_length=18, blank=True)
    gender = models.CharField(max_length=1, blank=True)
    birth_on = models.DateField(null=True)
    phone_encrypted = EncryptedField(max_length=120, blank=True, default="", db_default="", blind_index="phone_index")
    phone_index = models.CharField(max_length=32, blank=True, default="", db_default="")
    phone_masked = models.CharField(max_length=11, blank=True, default="", db_default="")
    kind = models.CharField(max_length=10, blank=True)
    ethnicity = models.CharField(max_length=10, blank=True)
    started_on = models.DateField(null=True)
    worker_id = models.BigIntegerField(null=True)
    error_field = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # The roster's optional consent column: "Y" / "N", "" when not answered (members.DataConsent on import).
    data_consent = models.CharField(max_length=1, blank=True, default="", db_default="")

    class Meta:
        indexes = [models.Index(fields=["job", "id_number_index"]), models.Index(fields=["job", "row_no"])]

    def __str__(self) -> str:
        return f"row {self.row_no}"

    @property
    def gender_label(self) -> str:
        """男 / 女 for the preview (blank on a bad row)."""
        from huzhu.members.models import Worker

        return str(dict(Worker.Gender.choices).get(self.gender, ""))

    @property
    def kind_label(self) -> str:
        from huzhu.members.models import Worker

        return str(dict(Worker.Kind.choices).get(self.kind, ""))


# --- contributions from the bank statement (对公转账) -------------------------------------------

class BankStatementLayout(models.Model):
    """How one bank's statement export names its columns: saved once per bank by the association.

    Each column field holds the header text(s) the bank uses, alternatives separated by "|";
    bank_statements.DEFAULT_LAYOUTS gives the big banks' until one is saved.
    """

    bank_code = models.CharField(_("银行代码"), max_length=20, unique=True)
    bank_name = models.CharField(_("银行"), max_length=50)
    booked_on = models.CharField(_("交易日期列"), max_length=100)
    serial = models.CharField(_("交易流水号列"), max_length=100, blank=True)
    credit = models.CharField(_("贷方发生额（收入）列"), max_length=100)
    debit = models.CharField(_("借方发生额（支出）列"), max_length=100, blank=True)
    direction = models.CharField(_("借贷标志列"), max_length=100, blank=True)
    payer_name = models.CharField(_("对方户名列"), max_length=100)
    payer_account = models.CharField(_("对方账号列"), max_length=100, blank=True)
    remark = models.CharField(_("摘要/用途/附言列"), max_length=200, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("对账单格式")
        verbose_name_plural = _("对账单格式")

    def __str__(self) -> str:
        return self.bank_name


class BankStatement(models.Model):
    """One uploaded bank statement: its credits are StatementLines; debits are only counted."""

    bank_code = models.CharField(_("银行代码"), max_length=20)
    bank_name = models.CharField(_("银行"), max_length=50)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    first_on = models.DateField(_("起始交易日"), null=True)
    last_on = models.DateField(_("截止交易日"), null=True)
    credit_count = models.PositiveIntegerField(_("收入笔数"), default=0)
    credit_amount = models.DecimalField(_("收入金额"), max_digits=14, decimal_places=2, default=0)
    debit_count = models.PositiveIntegerField(_("支出笔数（不匹配）"), default=0)
    duplicate_count = models.PositiveIntegerField(_("已导入过的笔数"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("银行对账单")
        verbose_name_plural = _("银行对账单")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.file_name}"


class StatementLine(models.Model):
    """One credit of a bank statement and what it pays: matched, ambiguous, unmatched, over- or underpaid.

    `serial_key` is the bank's transaction serial (or a fingerprint of the row when the bank gives
    none): a credit is stored once per bank, so uploading a statement again adds nothing. A line is
    open until a person confirms it (the enrollment is paid) or marks it as no contribution.
    """

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("已匹配")
        AMBIGUOUS = "ambiguous", _("多个候选")
        UNMATCHED = "unmatched", _("未匹配")
        OVERPAID = "overpaid", _("多缴")
        UNDERPAID = "underpaid", _("少缴")

    class Status(models.TextChoices):
        OPEN = "open", _("待确认")
        CONFIRMED = "confirmed", _("已确认缴费")
        DISMISSED = "dismissed", _("非互助金")

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    row_no = models.PositiveIntegerField(_("行号"))
    bank_code = models.CharField(max_length=20)
    serial_key = models.CharField(_("交易流水号"), max_length=80)
    booked_on = models.DateField(_("交易日期"))
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    payer_name = models.CharField(_("对方户名"), max_length=100)
    payer_account = models.CharField(_("对方账号"), max_length=40, blank=True)
    remark = models.CharField(_("摘要/附言"), max_length=300, blank=True)
    outcome = models.CharField(_("匹配结果"), max_length=10, choices=Outcome.choices)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="statement_lines")
    difference_amount = models.DecimalField(_("差额（实收−应缴）"), max_digits=14, decimal_places=2, default=0)
    candidates = models.JSONField(_("候选"), default=list, blank=True)  # [{"enrollment": id, "score": n, "reason": …}]
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    dismissed_reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("对账单收入")
        verbose_name_plural = _("对账单收入")
        ordering = ["statement_id", "row_no"]
        constraints = [
            models.UniqueConstraint(fields=["bank_code", "serial_key"], name="one_statement_line_per_bank_serial"),
            # An enrollment is paid by one confirmed credit.
            models.UniqueConstraint(fields=["enrollment"], condition=models.Q(status="confirmed"),
                                    name="one_confirmed_line_per_enrollment"),
        ]
        indexes = [models.Index(fields=["status", "outcome"])]

    def __str__(self) -> str:
        return f"{self.bank_code} {self.serial_key}"


class SubsidyReceipt(models.Model):
    """Union subsidy (工会补贴) a league's regional union paid against what it owes for a plan year.

    What it owes is the subsidy of the league's paid enrollments (booked 1221 at payment); a receipt
    clears part of it with the ledger's subsidy_received entry.
    """

    plan_year = models.ForeignKey("plans.PlanYear", on_delete=models.PROTECT, related_name="+")
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("到账金额"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("到账日期"))
    bank_reference = models.CharField(_("银行流水号"), max_length=60)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工会补贴到账")
        verbose_name_plural = _("工会补贴到账")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="subsidy_receipt_positive"),
            models.UniqueConstraint(fields=["plan_year", "league", "bank_reference"], name="one_subsidy_receipt_per_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.league_id} {self.plan_year_id} {self.amount}"
