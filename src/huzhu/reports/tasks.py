"""Nightly rebuild of the report summaries and the Monday service-level digest (Celery beat); safe to run twice."""
from datetime import timedelta

from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from huzhu.celery import app

from . import services


@shared_task(name="reports.refresh_summaries")
def refresh_summaries_task() -> int:
    """Rebuild every plan year's summaries; returns rows written."""
    return services.refresh_summaries(actor=None)


@app.on_after_finalize.connect
def schedule_nightly_refresh(sender, **kwargs):
    # 01:30, after the day's approvals and the campaign snapshot.
    sender.add_periodic_task(crontab(hour=1, minute=30), refresh_summaries_task.s(), name="reports nightly refresh")


@shared_task(name="reports.send_service_digests")
def send_service_digests_task() -> int:
    """Mail last week's service-level digest to every office (a digest already sent is not sent again)."""
    today = timezone.localdate()
    run = services.send_service_digests(actor=None, week_start=services.week_of(today - timedelta(days=7)), today=today)
    return run.sent
