"""Review KPIs from the claims app (imported only once `claims.Claim` exists; see queries.claim_figures).

Population: claims of the region decided (approved, paid or rejected) in the period.
- review days: mean working days from complete documents to the decision (DOMAIN: the review clock);
- overdue: decided after their due date; supplements: sent back for supplement at least once;
- rejections: decided "not payable".
"""
from collections import defaultdict
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from huzhu.claims.models import Claim, ClaimStatusChange
from huzhu.claims.review_clock import working_days_between
from huzhu.core.scopes import Scope

from .rules import ClaimFigures

DECIDED = [Claim.Status.APPROVED, Claim.Status.PAID, Claim.Status.REJECTED]


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def figures(scope: Scope, *, start: date, end: date, group: str) -> dict[str, ClaimFigures]:
    """Region code → review figures for claims decided in [start, end). One query, then arithmetic."""
    sent_back = ClaimStatusChange.objects.filter(claim_id=OuterRef("pk"), to_status=Claim.Status.SUPPLEMENT)
    rows = (scope.filter(Claim.objects.filter(status__in=DECIDED, decided_at__gte=_aware(start),
                                              decided_at__lt=_aware(end)))
            .annotate(was_sent_back=Exists(sent_back))
            .values_list(group, "status", "documents_complete_on", "due_on", "decided_at", "was_sent_back"))
    days: dict[str, list[int]] = defaultdict(list)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # decided, overdue, supplements, rejections
    for code, status, complete_on, due_on, decided_at, was_sent_back in rows.iterator(chunk_size=5000):
        decided_on = timezone.localtime(decided_at).date()
        tally = counts[code]
        tally[0] += 1
        tally[1] += bool(due_on and decided_on > due_on)
        tally[2] += bool(was_sent_back)
        tally[3] += status == Claim.Status.REJECTED
        if complete_on:
            days[code].append(max(0, working_days_between(complete_on, decided_on)))
    result = {}
    for code, (decided, overdue, supplements, rejections) in counts.items():
        spent = days.get(code)
        mean = (Decimal(sum(spent)) / len(spent)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if spent else None
        result[code] = ClaimFigures(mean, decided, overdue, supplements, rejections, decided)
    return result
