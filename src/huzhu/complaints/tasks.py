"""The daily clock of complaints (Celery beat, CELERY_BEAT_SCHEDULE "escalate-complaints"); safe to run twice."""
from datetime import date

from celery import shared_task

from huzhu.core.actors import SYSTEM_ACTOR

from . import services


@shared_task(name="huzhu.complaints.escalate_overdue", acks_late=True)
def escalate_overdue(on: str | None = None) -> int:
    """Move the complaints whose clock ran out one level up; returns how many moved."""
    return services.escalate_overdue(actor=SYSTEM_ACTOR, today=date.fromisoformat(on) if on else None).total
