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
