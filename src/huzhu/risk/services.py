"""Every write of risk control: a claim's assessment, the yearly scan, a finding's review."""
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor
from huzhu.core.errors import PermissionDenied, ValidationFailed
from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of

from . import facts as risk_facts
from . import rules
from .models import RiskFinding

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
