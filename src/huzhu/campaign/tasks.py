"""The daily progress snapshot: Celery beat runs it each evening; it is safe to run twice a day."""
from datetime import date

from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from huzhu.celery import app

from . import services


@shared_task(name="campaign.snapshot_progress")
def snapshot_progress_task(on: str | None = None) -> int:
    """Snapshot the progress of every plan year whose enrollment window is open; returns rows written."""
    today = date.fromisoformat(on) if on else timezone.localdate()
    return sum(rows for _, rows in services.snapshot_open_campaigns(actor=None, today=today))


@app.on_after_finalize.connect
def schedule_daily_snapshot(sender, **kwargs):
    # 23:30 local time, after the day's payments are in.
    sender.add_periodic_task(crontab(hour=23, minute=30), snapshot_progress_task.s(), name="campaign daily snapshot")
