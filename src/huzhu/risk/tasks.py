"""Background jobs: the nightly scan refreshes findings and the peer figures submissions compare with."""
from celery import shared_task
from django.utils import timezone

from . import rules, services


@shared_task(name="risk.scan_year")
def scan_year(year: int | None = None) -> dict:
    summary = services.scan_year(actor=None, year=year or timezone.localdate().year)
    return {"claims": summary.claims, "findings": summary.findings}


@shared_task(name="risk.draw_post_audit")
def draw_post_audit(month: str | None = None) -> dict:
    """The monthly post-audit draw (Celery beat, on the 1st): last month's sample, idempotent."""
    today = timezone.localdate()
    chosen = rules.parse_month(month) if month else rules.previous_month(today)
    draw = services.draw_post_audit(actor=None, month=chosen or rules.previous_month(today), today=today)
    return {"month": draw.month.isoformat(), "candidates": draw.candidates, "sampled": draw.samples.count()}
