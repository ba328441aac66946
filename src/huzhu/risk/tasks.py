"""Background jobs: the nightly scan refreshes findings and the peer figures submissions compare with."""
from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="risk.scan_year")
def scan_year(year: int | None = None) -> dict:
    summary = services.scan_year(actor=None, year=year or timezone.localdate().year)
    return {"claims": summary.claims, "findings": summary.findings}
