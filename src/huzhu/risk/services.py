"""Every write of risk control: a claim's assessment, the yearly scan, a finding's review, the post-audit sample."""
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.claims import queries as claims_queries
from huzhu.claims.services import reversals as claim_reversals
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.core.money import display_yuan, parse_money
from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of

from . import facts as risk_facts
from . import rules
from .models import PostAuditDraw, PostAuditSample, RiskFinding

REVIEWER_ROLES = {Role.ASSOCIATION}


def risk_settings() -> rules.RiskSettings:
    """Check thresholds: the defaults of `rules.RiskSettings`, overridden by the `RISK_SETTINGS` dict."""
    overrides = dict(getattr(django_settings, "RISK_SETTINGS", {}) or {})
    defaults = rules.RiskSettings()
    for item in fields(defaults):
        if item.name in overrides:
            kind = type(getattr(defaults, item.name))
            overrides[item.name] = Decimal(str(overrides[item.name])) if kind is Decimal else kind(overrides[item.name])
    return replace(defaults, **overrides)


def _rows(gathered: risk_facts.Gathered, assessment: rules.Assessment, now) -> list[RiskFinding]:
    f = gathered.facts
    return [RiskFinding(claim_id=f.claim_id, code=x.code, severity=x.severity, points=x.points, message=x.message[:400],
                        evidence=x.evidence, year=f.year, league_id=gathered.league_id, county_id=gathered.county_id,
                        unit_id=gathered.unit_id, hospital=gathered.hospital, clerk_id=gathered.clerk_id, found_at=now)
            for x in assessment.findings]


def _replace_findings(claims: QuerySet, results: list[tuple[risk_facts.Gathered, rules.Assessment]]) -> int:
    """Open findings of these claims are replaced; reviewed ones stay as the reviewer judged them."""
    now = timezone.now()
    existing = RiskFinding.objects.filter(claim__in=claims.values("pk"))
    reviewed = set(existing.exclude(review=RiskFinding.Review.OPEN).values_list("claim_id", "code"))
    existing.filter(review=RiskFinding.Review.OPEN).delete()
    rows = [row for g, a in results for row in _rows(g, a, now) if (row.claim_id, row.code) not in reviewed]
    RiskFinding.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def assess_claim(*, actor: Actor = None, claim) -> rules.Assessment:
    """Run every check on one claim, store its findings, and return them with the score.

    Called by claims at submission: a claim whose score reaches the threshold is not decided
    straight through. A finding the association already called a false alarm no longer counts.
    """
    settings = risk_settings()
    year = claim.plan_year.year
    one = risk_facts.claims_of_year(year).filter(pk=claim.pk)
    clerk_of = risk_facts.clerks_of(one)
    clerk_id = clerk_of.get(claim.pk)
    gathered = risk_facts.gather(one, risk_facts.shared_for_claim(claim, clerk_id=clerk_id),
                                 risk_facts.load_baselines(year), settings, clerk_of=clerk_of)
    if not gathered:
        return rules.Assessment((), 0, False)
    assessment = rules.assess(gathered[0].facts)
    _replace_findings(one, [(gathered[0], assessment)])
    dismissed = set(RiskFinding.objects.filter(claim_id=claim.pk, review=RiskFinding.Review.FALSE_ALARM)
                    .values_list("code", flat=True))
    counted = tuple(f for f in assessment.findings if f.code not in dismissed)
    score, blocks = rules.score_of(counted, settings.score_threshold)
    if assessment.findings:
        record_event(actor=actor, action="assess_claim_risk", object_type="Claim", object_id=claim.pk,
                     after={"score": score, "findings": [f.code for f in assessment.findings]})
    return rules.Assessment(assessment.findings, score, blocks)


@dataclass(frozen=True)
class ScanSummary:
    year: int
    claims: int
    findings: int
    by_code: dict[str, int]


def scan_year(*, actor: Actor = None, year: int, chunk: int = 50_000,
              progress: Callable[[int, int, int], None] | None = None) -> ScanSummary:
    """Re-run every check over a plan year's claims in bulk; safe to run again (findings are replaced).

    Year-wide figures and peer statistics are computed once (GROUP BY, window functions, NumPy);
    then each chunk of claims costs four queries and is committed on its own.
    """
    settings = risk_settings()
    claims = risk_facts.claims_of_year(year)
    bounds = claims.aggregate(low=Min("pk"), high=Max("pk"))
    total = claims.count()
    shared = risk_facts.shared_for_year(year)
    baselines = risk_facts.compute_baselines(year, settings, units=shared.units, clerks=shared.clerks)
    with transaction.atomic():
        risk_facts.store_baselines(year, baselines)
        # Claims withdrawn since the last scan lose their open findings.
        RiskFinding.objects.filter(year=year, review=RiskFinding.Review.OPEN,
                                   claim__status__in=risk_facts.EXCLUDED).delete()
    done, counts = 0, Counter[str]()
    if bounds["low"] is not None:
        for low in range(bounds["low"], bounds["high"] + 1, chunk):
            part = claims.filter(pk__gte=low, pk__lt=low + chunk)
            gathered = risk_facts.gather(part, shared, baselines, settings)
            results = [(g, rules.assess(g.facts)) for g in gathered]
            with transaction.atomic():
                _replace_findings(part, results)
            done += len(gathered)
            counts.update(f.code for _, a in results for f in a.findings)
            if progress:
                progress(done, total, sum(counts.values()))
    summary = ScanSummary(year, done, sum(counts.values()), dict(counts))
    with transaction.atomic():
        record_event(actor=actor, action="scan_risk", object_type="RiskFinding", object_id=year,
                     after={"year": year, "claims": done, "findings": summary.findings, "by_code": summary.by_code})
    return summary


@transaction.atomic
def review_finding(*, actor: Actor, finding: RiskFinding, verdict: str, note: str = "") -> RiskFinding:
    """The association marks a finding confirmed (属实) or a false alarm (误报), with a note."""
    if scope_of(actor).role not in REVIEWER_ROLES:
        raise PermissionDenied(_("只有协会可以核实风险提示"))
    if verdict not in (RiskFinding.Review.CONFIRMED, RiskFinding.Review.FALSE_ALARM):
        raise ValidationFailed("invalid_verdict", _("请选择“属实”或“误报”"), field="verdict")
    note = note.strip()
    if verdict == RiskFinding.Review.FALSE_ALARM and not note:
        raise ValidationFailed("note_required", _("标记为误报时请填写说明"), field="note")
    before = finding.review
    RiskFinding.objects.filter(pk=finding.pk).update(review=verdict, reviewed_by=actor, reviewed_at=timezone.now(),
                                                     review_note=note[:200])
    finding.refresh_from_db()
    record_event(actor=actor, action="review_risk_finding", object_type="RiskFinding", object_id=finding.pk,
                 before={"review": before}, after={"review": verdict, "code": finding.code, "claim": finding.claim_id,
                                                   "note": note[:200]})
    return finding


# --- the post-audit sample (事后抽查) of automatically approved claims ------------------------------
POST_AUDIT_DRAWERS = {Role.ASSOCIATION}  # and the system: a job (actor None), a command (SYSTEM_ACTOR, province)
POST_AUDIT_DECIDERS = {Role.ASSOCIATION}  # queries.POST_AUDIT_DECIDERS, for the pages
OUTCOME = PostAuditSample.Outcome


def post_audit_share() -> Decimal:
    """The share of each stratum drawn: `RISK_POST_AUDIT_SHARE` (default "0.05"), between 0 and 1."""
    text = str(getattr(django_settings, "RISK_POST_AUDIT_SHARE", "0.05"))
    try:
        share = Decimal(text)
    except ArithmeticError:
        share = Decimal("-1")
    if not share.is_finite() or not Decimal("0") <= share <= Decimal("1"):
        raise ValidationFailed("invalid_share", _("抽查比例应在 0 到 1 之间（RISK_POST_AUDIT_SHARE = %(share)s）")
                               % {"share": text}, field="share")
    return share


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, timezone.make_aware(datetime(following.year, following.month, 1))


@transaction.atomic
def draw_post_audit(*, actor: Actor, month: date, today: date) -> PostAuditDraw:
    """Draw the month's post-audit sample of the claims approved automatically in it (set-based; audited).

    Idempotent: a month already drawn returns its draw and nothing new is written. Only a month already over
    can be drawn (a draw of a month still running would miss its later approvals for good).
    """
    if actor is not None and scope_of(actor).role not in POST_AUDIT_DRAWERS:
        raise PermissionDenied(_("只有协会可以抽取事后抽查样本"))
    month = month.replace(day=1)
    if month >= today.replace(day=1):
        raise ValidationFailed("invalid_month", _("只能抽取已结束月份的样本（%(month)s 尚未结束）")
                               % {"month": month.strftime("%Y-%m")}, field="month")
    existing = PostAuditDraw.objects.filter(month=month).first()
    if existing is not None:
        return existing
    share = post_audit_share()
    threshold = risk_settings().score_threshold
    since, until = _month_bounds(month)
    approvals = claims_queries.straight_through_approvals(since=since, until=until)
    rows = {pk: (league, county, benefit or Decimal("0.00")) for pk, league, county, benefit in approvals}
    # One aggregate: each claim's counted points (false alarms do not count, as at submission), capped at 100.
    points = dict(RiskFinding.objects.filter(claim_id__in=approvals.values("pk"))
                  .exclude(review=RiskFinding.Review.FALSE_ALARM).values("claim_id")
                  .annotate(points=Sum("points")).values_list("claim_id", "points"))
    candidates = [rules.SampleCandidate(pk, county, benefit, min(100, points.get(pk, 0)))
                  for pk, (_league, county, benefit) in rows.items()]
    drawn = set(rules.draw_sample(candidates, share, month.strftime("%Y-%m"), threshold=threshold))
    try:
        with transaction.atomic():  # a savepoint: a concurrent draw of the same month wins, this one returns it
            draw = PostAuditDraw.objects.create(month=month, share=share, candidates=len(candidates),
                                                drawn_at=timezone.now(), drawn_by=user_of(actor))
    except IntegrityError:
        return PostAuditDraw.objects.get(month=month)
    PostAuditSample.objects.bulk_create([
        PostAuditSample(draw=draw, claim_id=c.claim_id, league_id=rows[c.claim_id][0], county_id=c.county_code,
                        stratum=rules.stratum_of(c, threshold), benefit_amount=c.benefit_amount, score=c.score)
        for c in candidates if c.claim_id in drawn], batch_size=2000)
    record_event(actor=actor, action="draw_post_audit", object_type="PostAuditDraw", object_id=draw.pk,
                 after={"month": month.strftime("%Y-%m"), "share": str(share), "candidates": len(candidates),
                        "sampled": len(drawn), "counties": len({c.county_code for c in candidates})})
    return draw


def _recovery_amount(amount, benefit: Decimal) -> Decimal:
    try:
        value = parse_money(amount if amount is not None else "")
    except (TypeError, ValueError):
        value = None
    if value is None or not Decimal("0.00") < value <= benefit:
        raise ValidationFailed("invalid_amount", _("请填写追回金额：大于 0，且不超过补助金 %(benefit)s 元")
                               % {"benefit": display_yuan(benefit)}, field="amount")
    return value


@transaction.atomic
def record_post_audit_outcome(*, actor: Actor, sample: PostAuditSample, outcome: str, note: str = "",
                              amount=None, today: date | None = None) -> PostAuditSample:
    """The association records a sample's outcome once: the approval was right (confirmed), the benefit is owed
    back (recovery: a ClaimRecovery and its ledger entry, through claims), or a rule or check is to change."""
    today = today or timezone.localdate()
    scope = scope_of(actor)
    if scope.role not in POST_AUDIT_DECIDERS:
        raise PermissionDenied(_("只有协会可以记录事后抽查结论"))
    if outcome not in (OUTCOME.CONFIRMED, OUTCOME.RECOVERY, OUTCOME.RULE_CHANGE):
        raise ValidationFailed("invalid_outcome", _("请选择抽查结论：审批无误、需追回或需调整规则"), field="outcome")
    note = (note or "").strip()
    if outcome == OUTCOME.RULE_CHANGE and not note:
        raise ValidationFailed("rule_required", _("请写明需调整的规则或检查项"), field="note")
    if outcome == OUTCOME.RECOVERY and not note:
        raise ValidationFailed("reason_required", _("请写明追回原因"), field="note")
    value = _recovery_amount(amount, sample.benefit_amount) if outcome == OUTCOME.RECOVERY else None
    decided_at = timezone.now()
    # Once: the conditional update wins for one of two people recording at the same time.
    moved = PostAuditSample.objects.filter(pk=sample.pk, outcome=OUTCOME.PENDING).update(
        outcome=outcome, note=note[:400], decided_by=user_of(actor), decided_at=decided_at)
    if not moved:
        sample.refresh_from_db()
        raise Conflict("outcome_recorded", _("申领 #%(number)s 的抽查结论已记录（%(outcome)s），不能更改") % {
            "number": sample.claim_id, "outcome": sample.get_outcome_display()})
    recovery_id = None
    if value is not None:
        recovery_id = claim_reversals.open_post_audit_recovery(actor=actor, claim_id=sample.claim_id, amount=value,
                                                               reason=note[:200], today=today).pk
        PostAuditSample.objects.filter(pk=sample.pk).update(recovery_id=recovery_id)
    record_event(actor=actor, action="record_post_audit_outcome", object_type="PostAuditSample", object_id=sample.pk,
                 before={"outcome": OUTCOME.PENDING},
                 after={"outcome": outcome, "claim": sample.claim_id, "note": note[:400],
                        "amount": str(value) if value is not None else None, "recovery": recovery_id})
    sample.refresh_from_db()
    return sample
