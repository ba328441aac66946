"""Background jobs of the settlement feed; each calls a service and is safe to run twice."""
from celery import shared_task
from celery.schedules import crontab

from huzhu.celery import app
from huzhu.core.actors import SYSTEM_ACTOR

from . import services


def _actor(actor_id: int | None):
    if not actor_id:
        return SYSTEM_ACTOR
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=actor_id).first() or SYSTEM_ACTOR


@shared_task(name="settlements.run_import")
def run_settlement_import_task(job_id: int, actor_id: int | None = None) -> str:
    """Stage, match and act on one settlement file (resumes where a stopped run left it)."""
    return services.run_settlement_import(job_id=job_id, actor=_actor(actor_id)).status


@shared_task(name="settlements.import_dropped_files")
def import_dropped_files_task() -> int:
    """Import the files waiting in HUZHU_SETTLEMENT_DROP_DIR; each is moved to processed/ or failed/."""
    return len(services.import_dropped_files(actor=SYSTEM_ACTOR))


@shared_task(name="settlements.purge_raw_settlements")
def purge_raw_settlements_task() -> int:
    """Blank the raw facts of settlement rows past their agreement's retention days."""
    return services.purge_raw_settlements(actor=SYSTEM_ACTOR)


@app.on_after_finalize.connect
def schedule_settlement_jobs(sender, **kwargs):
    # The drop folder every five minutes; the retention purge nightly.
    sender.add_periodic_task(crontab(minute="*/5"), import_dropped_files_task.s(), name="settlement drop folder")
    sender.add_periodic_task(crontab(hour=2, minute=40), purge_raw_settlements_task.s(), name="settlement purge")
