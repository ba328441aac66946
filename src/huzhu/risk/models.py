"""Risk findings with their evidence and review, and the peer figures the statistical checks use."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskFinding(models.Model):
    """One check's finding on one claim; the association marks it confirmed or a false alarm."""

    class Severity(models.TextChoices):
        HARD_STOP = "hard_stop", _("必须核实")
        NEEDS_REVIEW = "needs_review", _("需人工审核")
        INFO = "info", _("提示")

    class Review(models.TextChoices):
        OPEN = "open", _("待核实")
        CONFIRMED = "confirmed", _("属实")
        FALSE_ALARM = "false_alarm", _("误报")

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="risk_findings")
    code = models.CharField(_("检查项"), max_length=40)
    severity = models.CharField(_("严重程度"), max_length=15, choices=Severity.choices)
    points = models.PositiveSmallIntegerField(_("分值"))
    message = models.CharField(_("说明"), max_length=400)
    evidence = models.JSONField(_("证据"), default=dict)
    # Copied from the claim (and its first-review clerk) so the risk page groups and scopes on this row.
    year = models.PositiveSmallIntegerField(_("年度"))
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("members.MemberUnit", on_delete=models.PROTECT, related_name="+")
    hospital = models.CharField(_("医院"), max_length=100, blank=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    found_at = models.DateTimeField(_("发现时间"))
    review = models.CharField(_("核实结论"), max_length=12, choices=Review.choices, default=Review.OPEN)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("核实说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("风险提示")
        verbose_name_plural = _("风险提示")
        constraints = [models.UniqueConstraint(fields=["claim", "code"], name="one_finding_per_claim_and_check")]
        indexes = [
            models.Index(fields=["year", "code"]),
            models.Index(fields=["year", "league"]),
            models.Index(fields=["year", "county"]),
            models.Index(fields=["review", "found_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}:{self.code}"


class RiskBaseline(models.Model):
    """Robust peer figures of a year, refreshed by each scan: stay days and costs per diagnosis group,
    claims a year per sex and age band, unit loss ratios, clerk approval rates."""

    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=40, blank=True)
    n = models.PositiveIntegerField()
    median = models.FloatField()
    mad = models.FloatField()
    extra = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "kind", "key"], name="one_baseline_per_key")]

    def __str__(self) -> str:
        return f"{self.year} {self.kind} {self.key}"


class PostAuditDraw(models.Model):
    """A month's post-audit draw (事后抽查) over the claims approved automatically in it; one per month."""

    month = models.DateField(_("月份"), unique=True)  # the first day of the month
    share = models.DecimalField(_("抽查比例"), max_digits=5, decimal_places=4)
    candidates = models.PositiveIntegerField(_("自动审批件数"))
    drawn_at = models.DateTimeField(_("抽取时间"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        verbose_name = _("事后抽查批次")
        verbose_name_plural = _("事后抽查批次")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class PostAuditSample(models.Model):
    """One automatically approved claim drawn for post-audit, and the association's outcome (recorded once)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待抽查")
        CONFIRMED = "confirmed", _("审批无误")
        RECOVERY = "recovery", _("需追回")
        RULE_CHANGE = "rule_change", _("需调整规则")

    draw = models.ForeignKey(PostAuditDraw, on_delete=models.PROTECT, related_name="samples")
    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="+")
    # Copied from the claim so the queue scopes and filters on this row (as RiskFinding does).
    league = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(_("分层"), max_length=8)  # rules.stratum_of: "a<amount band>s<score band>"
    benefit_amount = models.DecimalField(_("补助金"), max_digits=14, decimal_places=2)
    score = models.PositiveSmallIntegerField(_("风险分"))
    outcome = models.CharField(_("抽查结论"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.CharField(_("说明"), max_length=400, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("结论时间"), null=True, blank=True)
    recovery_id = models.PositiveBigIntegerField(_("追回记录"), null=True, blank=True)  # claims.ClaimRecovery

    class Meta:
        verbose_name = _("事后抽查样本")
        verbose_name_plural = _("事后抽查样本")
        ordering = ["draw", "county_id", "claim_id"]
        indexes = [models.Index(fields=["draw", "outcome"]), models.Index(fields=["outcome", "county"])]

    def __str__(self) -> str:
        return f"{self.draw} #{self.claim_id}"
