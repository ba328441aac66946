"""Builders of the post-audit tests: claims approved straight through, dated in a month, in two counties."""
from datetime import date, datetime

from django.utils import timezone

from huzhu.claims.models import Claim
from huzhu.claims.tests.conftest import cover
from huzhu.conftest import HONGSHAN, make_staff, make_unit, make_worker
from huzhu.regions.models import Role
from huzhu.risk.models import RiskFinding

MONTH, TODAY = date(2026, 5, 1), date(2026, 6, 1)
_accounts = iter(range(1, 10_000))


def approved_on(claim, day: date) -> Claim:
    """Date the automatic approval (the desk files at today's clock)."""
    Claim.objects.filter(pk=claim.pk).update(approved_at=timezone.make_aware(datetime(day.year, day.month, day.day, 10)))
    claim.refresh_from_db()
    return claim


def stay(file_stay, day: date = date(2026, 5, 10), **fields) -> Claim:
    """A clean stay approved straight through on `day` (each on its own dates: stays never overlap)."""
    # Distinct dates for every claim: the same hospital, day and amount would be a near-duplicate invoice.
    n = Claim.objects.count()
    start = date(2026, 1, 1).toordinal() + 3 * n
    claim = file_stay(fields.pop("self_pay", "1000.00"), admitted=date.fromordinal(start),
                      discharged=date.fromordinal(start + 1), **fields)
    assert claim.status == Claim.Status.APPROVED and claim.straight_through, claim.status
    return approved_on(claim, day)


def hongshan_stay(file_stay, day: date = date(2026, 5, 12)) -> Claim:
    """A straight-through stay in another county (赤峰市红山区)."""
    clerk = make_staff(f"clerk_hongshan_{next(_accounts)}", Role.AGENCY, division=HONGSHAN)
    person = make_worker(make_unit(HONGSHAN))
    cover(person)
    return stay(file_stay, day, who=person, actor=clerk)


def finding(claim, *, code: str = "cost_outlier", review: str = RiskFinding.Review.OPEN, points: int = 50) -> RiskFinding:
    """A finding a later scan raised on an approved claim (the scan's row, made by hand)."""
    return RiskFinding.objects.create(
        claim_id=claim.pk, code=code, severity="needs_review", points=points, message="医疗费用异常（测试）",
        year=2026, league_id=claim.league_id, county_id=claim.county_id, unit_id=claim.unit_id, found_at=timezone.now(),
        review=review)

